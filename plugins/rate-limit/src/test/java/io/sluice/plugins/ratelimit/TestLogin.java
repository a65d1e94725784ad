package io.sluice.plugins.ratelimit;

import io.sluice.spi.Decision;
import io.sluice.spi.Exchange;
import io.sluice.spi.Identity;
import io.sluice.spi.Phase;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;
import java.util.Map;
import java.util.Set;

/**
 * AUTHENTICATION for tests: whoever names themselves in {@code x-login} (with a {@code tenant}
 * claim from {@code x-tenant}) is authenticated, as a consumer when {@code x-consumer} is sent.
 */
public final class TestLogin implements PluginFactory<TestLogin.Config> {

  public record Config(boolean on) {}

  @Override
  public String name() {
    return "test_login";
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Phase phase() {
    return Phase.AUTHENTICATION;
  }

  @Override
  public Plugin create(Config config, PluginContext context) {
    return new Plugin() {
      @Override
      public Decision onRequest(Exchange exchange) {
        String subject = exchange.requestHeaders().get("x-login");
        if (subject != null) {
          String tenant = exchange.requestHeaders().get("x-tenant");
          exchange.attributes().put(Identity.KEY, new Identity(subject, exchange.requestHeaders().get("x-consumer"),
              tenant == null ? Map.of() : Map.of("tenant", tenant, "level", 3), Set.of(), "test_login"));
        }
        return Decision.proceed();
      }
    };
  }
}
