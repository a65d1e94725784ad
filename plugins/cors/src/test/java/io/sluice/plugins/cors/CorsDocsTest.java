package io.sluice.plugins.cors;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.config.PluginUse;
import io.sluice.config.RouteConfig;
import io.sluice.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/plugins/cors.md: its complete example loads with the real plugin, and it lists every key. */
class CorsDocsTest {

  private static final Path GUIDE = Path.of("..", "..", "docs", "plugins", "cors.md");

  @Test
  void theCompleteExampleLoads() throws Exception {
    String guide = Files.readString(GUIDE);
    int section = guide.indexOf("## Example");
    int start = guide.indexOf("```yaml\n", section) + "```yaml\n".length();
    String yaml = guide.substring(start, guide.indexOf("```", start));

    GatewayConfig config = ConfigLoader.parse(yaml, "docs/plugins/cors.md", Map.<String, String>of()::get,
        PluginRegistry.discover(List.of()).catalog()); // a ConfigException here lists every problem

    assertThat(config.plugins()).extracting(PluginUse::config).containsExactly(new CorsConfig(
        List.of("https://app.example.com", "https://*.preview.example.com", "http://localhost:5173"),
        List.of("GET", "POST", "PUT", "DELETE"),
        List.of("authorization", "content-type"),
        List.of("x-request-id"),
        true,
        Duration.ofHours(1)));
    assertThat(config.routes()).extracting(RouteConfig::id).containsExactly("api", "catalog", "health");
  }

  @Test
  void everyKeyIsDocumented() throws Exception {
    String guide = Files.readString(GUIDE);
    List<String> keys = Arrays.stream(CorsConfig.class.getRecordComponents())
        .map(component -> component.getName().replaceAll("([A-Z])", "_$1").toLowerCase())
        .toList();

    assertThat(keys).hasSize(6).allSatisfy(key -> assertThat(guide).contains("| `" + key + "` |"));
  }
}
