package com.example.sluice.authz;

import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.Exchange;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Phase;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The asynchronous contract, worked through: {@code example_external_authz} asks an authorization
 * service over HTTP (the JDK's {@link HttpClient}, asynchronously) whether the request's bearer token
 * may pass, and forwards the subject the service names as {@code x-authenticated-user}. docs/plugins.md
 * shows it; {@code ExternalAuthorizationTest} runs it in a real gateway against a real service.
 *
 * <pre>{@code
 * plugins:
 *   - example_external_authz: { url: "http://authz.internal:8080/check", service_timeout: 2s }
 * }</pre>
 */
public final class ExternalAuthorizationFactory implements PluginFactory<ExternalAuthorizationFactory.Config> {

  /**
   * @param url where the service answers {@code GET} with the token in {@code Authorization}: 200 with
   *     {@code x-subject} to let the request through, anything else to refuse it
   * @param serviceTimeout how long to wait for the service; below the entry's own {@code timeout}
   */
  public record Config(String url, Duration serviceTimeout) {
    public Config {
      if (url == null || !url.startsWith("http")) {
        throw new IllegalArgumentException("url: expected the service's http(s) URL, got " + url);
      }
      serviceTimeout = serviceTimeout == null ? Duration.ofSeconds(2) : serviceTimeout;
    }
  }

  @Override
  public String name() {
    return "example_external_authz";
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Phase phase() {
    return Phase.AUTHORIZATION;
  }

  @Override
  public Plugin create(Config config, PluginContext context) {
    // one client per instance: it keeps connections to the service open across requests
    HttpClient client = HttpClient.newBuilder().connectTimeout(config.serviceTimeout()).build();
    URI service = URI.create(config.url());
    GatewayError refused = GatewayError.of(ErrorCode.FORBIDDEN, "Not allowed").withDetails("example_external_authz.refused");
    // fails closed: without the service's word nothing passes (the operator sees why in the access log)
    GatewayError unavailable = GatewayError.of(ErrorCode.FORBIDDEN, "Not allowed")
        .withDetails("example_external_authz.service_unavailable");
    return new Plugin() {
      @Override
      public Decision onRequest(Exchange exchange) {
        String authorization = exchange.requestHeaders().get("authorization"); // read before waiting
        if (authorization == null) {
          return Decision.reply(GatewayError.of(ErrorCode.UNAUTHENTICATED, "A bearer token is required"));
        }
        HttpRequest check = HttpRequest.newBuilder(service).timeout(config.serviceTimeout())
            .header("Authorization", authorization).GET().build();
        return Decision.await(
            client.sendAsync(check, HttpResponse.BodyHandlers.discarding())
                .exceptionally(failure -> null),              // the service down: decide below, not a plugin failure
            (ex, answer) -> {                                 // back on the exchange's event loop
              if (answer == null) {
                return Decision.reply(unavailable);
              }
              if (answer.statusCode() != 200) {
                return Decision.reply(refused);
              }
              ex.requestHeaders().set("x-authenticated-user", answer.headers().firstValue("x-subject").orElse(""));
              return Decision.proceed();
            });
      }
    };
  }
}
