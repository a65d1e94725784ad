/**
 * The {@code example_header_guard} plugin: the template for a Sluice plugin jar.
 *
 * <p>Parameters and return values are never {@code null} unless their javadoc says so.
 */
package com.example.sluice;
