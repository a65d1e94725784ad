package io.sluice.plugins.cache;

import io.sluice.testing.Gateway;
import io.sluice.testing.NoLeaksExtension;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** A real gateway with the cache in front of a {@link ScriptedUpstream}, started for each test from {@link #config()}. */
@ExtendWith(NoLeaksExtension.class)
abstract class CachedRoutes {

  ScriptedUpstream upstream;
  Gateway gateway;

  /** The gateway's YAML; {@code ${UPSTREAM}} is the scripted upstream's port. */
  abstract String config();

  @BeforeEach
  void start() throws Exception {
    upstream = new ScriptedUpstream();
    gateway = Gateway.start(config(), Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterEach
  void stop() {
    gateway.close();
    upstream.close();
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    return gateway.send("GET", path, headers);
  }

  /** The body of a GET, for polling. */
  String body(String path) {
    try {
      return get(path).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
