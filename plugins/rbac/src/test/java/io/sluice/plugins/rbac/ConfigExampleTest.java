package io.sluice.plugins.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.config.PluginCatalog;
import io.sluice.config.PluginUse;
import io.sluice.plugins.apikey.ApiKeyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * config-examples/api-key-rbac.yaml loads with the api_key and rbac plugins installed (gateway-core's
 * example test cannot see them, and checks only the rest of the file).
 */
class ConfigExampleTest {

  static final Path EXAMPLE = Path.of("..", "..", "config-examples", "api-key-rbac.yaml");

  @Test
  void theApiKeyAndRbacExampleLoads() throws Exception {
    Map<String, String> env = Map.of("ADMIN_API_KEY", "admin-secret", "MOBILE_API_KEY", "mobile-secret",
        "REPORTING_API_KEY_SHA256", "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
    PluginCatalog catalog = PluginCatalog.of(Map.of("api_key", ApiKeyConfig.class, "rbac", RbacConfig.class));

    GatewayConfig config = ConfigLoader.parse(Files.readString(EXAMPLE), EXAMPLE.toString(), env::get, catalog);

    ApiKeyConfig apiKey = (ApiKeyConfig) config.plugins().get(0).config();
    assertThat(apiKey.consumers()).extracting(ApiKeyConfig.Consumer::name)
        .containsExactly("admin-console", "mobile-app", "reporting");
    PluginUse rbac = config.routes().get(0).plugins().get(0);
    assertThat(rbac.name()).isEqualTo("rbac");
    assertThat(((RbacConfig) rbac.config()).rules()).hasSize(5);
    assertThat(config.routes().get(1).plugins().get(0).enabled()).as("health needs no key").isFalse();
  }
}
