package io.sluice.plugins.jwt;

import io.sluice.spi.Phase;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code jwt} plugin: authenticates requests by their JSON Web Token and publishes the
 * caller as an {@link io.sluice.spi.Identity}. Runs in {@link Phase#AUTHENTICATION}. The first
 * fetch of each issuer's {@code jwks_uri} starts when the plugin is created, in the background.
 *
 * {@snippet lang=yaml :
 * plugins:
 *   - jwt:
 *       issuers:
 *         - { issuer: "https://idp.example.com", jwks_uri: "https://idp.example.com/jwks.json", algorithms: [RS256], audiences: [api] }
 *       forward_claims: { sub: x-user-id }
 * }
 */
public final class JwtPluginFactory implements PluginFactory<JwtConfig> {

  @Override
  public String name() {
    return "jwt";
  }

  @Override
  public Class<JwtConfig> configType() {
    return JwtConfig.class;
  }

  @Override
  public Phase phase() {
    return Phase.AUTHENTICATION;
  }

  /** The {@code query_param} with {@code token_from: query}: the access log hides the token. */
  @Override
  public Set<String> credentialQueryParameters(JwtConfig config) {
    return config.tokenFrom() == JwtConfig.TokenSource.QUERY ? Set.of(config.queryParam()) : Set.of();
  }

  /** The {@code forward_claims} headers: the gateway strips them from every client request. */
  @Override
  public Set<String> identityHeaders(JwtConfig config) {
    return Set.copyOf(config.forwardClaims().values());
  }

  @Override
  public Plugin create(JwtConfig config, PluginContext context) {
    if (context.previous().orElse(null) instanceof JwtPlugin previous && previous.config().equals(config)) {
      return previous.sharingStateOf(); // same config after a reload: keep the keys and verified tokens
    }
    return new JwtPlugin(config, Clock.systemUTC(), context.ticker(), Http.CLIENT, context.logger(), !context.validating());
  }

  /**
   * One client for every instance's JWKS fetches; its threads, not the event loops, finish them.
   * It follows no redirect itself: {@link RemoteJwks} follows only those within the origin of {@code jwks_uri}.
   */
  private static final class Http {
    static final HttpClient CLIENT = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }
}
