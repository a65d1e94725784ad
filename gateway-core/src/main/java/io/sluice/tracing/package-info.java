/** W3C trace context: the gateway as one hop of a distributed trace. Nothing here is {@code null} unless documented. */
package io.sluice.tracing;
