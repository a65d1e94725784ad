package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.BodyPattern;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.H2TestUpstream;
import io.sluice.testing.NoLeaksExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTP/2 on both sides: client streams share one client connection, their upstream streams share
 * one upstream connection, and a stream whose client stops reading holds back no other.
 */
@ExtendWith(NoLeaksExtension.class)
class Http2EndToEndFlowTest {

  @Test
  void aStalledStreamHoldsBackNoOtherStreamOnEitherConnection() throws Exception {
    try (H2TestUpstream upstream = H2TestUpstream.h2c(100);
        Gateway gateway = Gateway.start("""
            server:
              listeners:
                - { name: public, bind: 127.0.0.1, port: 0, protocols: [h2c] }
            upstreams:
              h2: { protocol: h2c, endpoints: [ "http://127.0.0.1:${UP}" ], max_connections_per_endpoint: 1 }
            routes:
              - { id: all, match: { path: /** }, upstream: h2 }
            """, Map.of("UP", String.valueOf(upstream.port())));
        H2Client client = H2Client.h2c(gateway.port(), 65_535)) {
      // 4 MiB the client does not read: it fills the client stream's window, then the upstream
      // stream's, and what is in flight sits in the gateway.
      H2Client.Stream stalled = client.open("GET", "/download?bytes=" + 4 * 1024 * 1024, Map.of(), true);
      stalled.setReading(false);
      stalled.head().get(5, TimeUnit.SECONDS);

      List<CompletableFuture<H2Client.Response>> others = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        others.add(client.open("GET", "/download?bytes=300000&i=" + i, Map.of(), true).response());
      }
      for (CompletableFuture<H2Client.Response> other : others) {
        BodyPattern.assertIntact(other.get(10, TimeUnit.SECONDS).body(), 300_000);
      }
      assertThat(upstream.connections()).as("every stream shared one upstream connection").isEqualTo(1);
      assertThat(stalled.response()).isNotDone();

      stalled.setReading(true);
      BodyPattern.assertIntact(stalled.response().get(20, TimeUnit.SECONDS).body(), 4 * 1024 * 1024);
    }
  }
}
