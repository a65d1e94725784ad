package io.sluice.plugins.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.config.PluginUse;
import io.sluice.config.RouteConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * config-examples/jwt.yaml and docs/plugins/jwt.md load with the real plugin, which the
 * gateway-core tests cannot see (plugins are not on its class path), and the guide lists every key.
 */
class JwtDocsTest {

  private static final Path EXAMPLE = Path.of("..", "..", "config-examples", "jwt.yaml");
  private static final Path GUIDE = Path.of("..", "..", "docs", "plugins", "jwt.md");
  private static final Map<String, String> ENV = Map.of("JWT_HS_SECRET", "a-secret-of-at-least-thirty-two-bytes");

  @Test
  void theConfigExampleLoads() throws Exception {
    GatewayConfig config = ConfigLoader.parse(Files.readString(EXAMPLE), EXAMPLE.toString(), ENV::get, JwtConfigs.CATALOG);

    assertThat(config.routes()).extracting(RouteConfig::id).containsExactly("users", "reports");
    JwtConfig users = jwt(config.routes().get(0));
    assertThat(users.issuers()).extracting(JwtConfig.Issuer::issuer).containsExactly("https://idp.example.com", "https://jobs.internal");
    assertThat(users.issuers().get(1).secrets()).containsExactly(ENV.get("JWT_HS_SECRET"));
    assertThat(users.maxTokenAge()).isEqualTo(Duration.ofHours(12));
    assertThat(users.forwardClaims()).containsEntry("sub", "x-user-id").containsEntry("tenant", "x-tenant-id");
    JwtConfig reports = jwt(config.routes().get(1));
    assertThat(reports.tokenFrom()).isEqualTo(JwtConfig.TokenSource.COOKIE);
    assertThat(reports.cookieName()).isEqualTo("session");
  }

  @Test
  void theGuidesExampleLoads() throws Exception {
    String guide = Files.readString(GUIDE);
    int section = guide.indexOf("## Example");
    int start = guide.indexOf("```yaml\n", section) + "```yaml\n".length();
    String routes = guide.substring(start, guide.indexOf("```", start));
    String yaml = """
        server:
          listeners: [ { name: public, port: 8080 } ]
        upstreams:
          users: { endpoints: [ "http://127.0.0.1:9001" ] }
        """ + routes;

    GatewayConfig config = ConfigLoader.parse(yaml, "docs/plugins/jwt.md", ENV::get, JwtConfigs.CATALOG);

    JwtConfig jwt = jwt(config.routes().get(0));
    assertThat(jwt.issuers()).hasSize(2);
    assertThat(jwt.requiredClaims()).containsExactly("tenant");
    assertThat(jwt.stripAuthorization()).isTrue();
  }

  @Test
  void everyKeyIsDocumented() throws Exception {
    String guide = Files.readString(GUIDE);
    List<String> keys = Stream.of(JwtConfig.class, JwtConfig.Issuer.class)
        .flatMap(type -> Arrays.stream(type.getRecordComponents()))
        .map(component -> component.getName().replaceAll("([A-Z])", "_$1").toLowerCase())
        .toList();

    assertThat(keys).hasSize(22).allSatisfy(key -> assertThat(guide).contains("| `" + key + "` |"));
  }

  @Test
  void everyRejectionReasonIsDocumented() throws Exception {
    String guide = Files.readString(GUIDE);

    assertThat(Failure.values()).allSatisfy(failure -> assertThat(guide).contains("| `" + failure.details() + "` |"));
  }

  private static JwtConfig jwt(RouteConfig route) {
    return (JwtConfig) route.plugins().stream().filter(p -> p.name().equals("jwt")).map(PluginUse::config).findFirst().orElseThrow();
  }
}
