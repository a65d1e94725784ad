package io.sluice.packaging;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Built-in plugins are plugins like any other: they may use the gateway through
 * {@code io.sluice.spi} only, so they keep working in their own class loader and the engine can
 * change underneath them.
 */
class PluginBoundaryIT {

  @Test
  void builtInPluginsDependOnTheSpiOnly() {
    JavaClasses plugins = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.sluice.plugins");

    noClasses().that().resideInAPackage("io.sluice.plugins..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.sluice.config..", "io.sluice.routing..", "io.sluice.proxy..", "io.sluice.upstream..",
            "io.sluice.server..", "io.sluice.cli..", "io.sluice.plugin..")
        .because("plugins compile against io.sluice.spi only (docs/plugins.md)")
        .check(plugins);
  }

  /**
   * Nor do they use Netty, with one exception: the shared Redis module, whose client (Lettuce) is
   * built on Netty, opens a connection on the event loop an exchange runs on
   * ({@code Exchange.executor()}) when that loop is a Netty loop it can see, and uses Lettuce's own
   * threads otherwise (as it would in a plugin jar's own class loader).
   */
  @Test
  void builtInPluginsUseNoNettyButTheSharedRedisClient() {
    JavaClasses plugins = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.sluice.plugins");

    noClasses().that().resideInAPackage("io.sluice.plugins..").and().resideOutsideOfPackage("io.sluice.plugins.redis..")
        .should().dependOnClassesThat().resideInAnyPackage("io.netty..")
        .because("plugins compile against io.sluice.spi only (docs/plugins.md)")
        .check(plugins);
  }
}
