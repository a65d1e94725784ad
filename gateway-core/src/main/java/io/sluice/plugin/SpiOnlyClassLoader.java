package io.sluice.plugin;

/**
 * The parent of every plugin jar's class loader: it shows a jar the JDK and
 * {@code io.sluice.spi} and nothing else of the gateway, so a jar can neither reach gateway
 * internals nor clash with the gateway's (or another jar's) libraries.
 */
final class SpiOnlyClassLoader extends ClassLoader {

  private static final String SPI_PACKAGE = "io.sluice.spi.";

  private final ClassLoader gateway;

  SpiOnlyClassLoader(ClassLoader gateway) {
    super("sluice-spi", ClassLoader.getPlatformClassLoader());
    this.gateway = gateway;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (name.startsWith(SPI_PACKAGE)) {
      return gateway.loadClass(name);
    }
    return super.loadClass(name, resolve);
  }
}
