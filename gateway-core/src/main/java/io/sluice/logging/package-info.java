/**
 * What the gateway writes for operators: the access log (one line per exchange, formatted and written off the event
 * loops by one writer thread) and the format and levels of its own log ({@code logging:}). Nothing here is
 * {@code null} unless documented.
 */
package io.sluice.logging;
