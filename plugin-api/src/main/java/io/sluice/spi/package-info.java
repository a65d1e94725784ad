/**
 * The public plugin SPI: the only package plugin jars compile against.
 *
 * <p>Everything here is stable API. Parameters and return values are never {@code null}
 * unless their javadoc says so.
 */
package io.sluice.spi;
