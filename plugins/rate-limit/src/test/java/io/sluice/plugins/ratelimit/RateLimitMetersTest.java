package io.sluice.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.admin.AdminServer;
import io.sluice.config.AdminConfig;
import io.sluice.testing.Gateway;
import io.sluice.testing.PrometheusText;
import io.sluice.testing.TestUpstream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plugin's decisions, counted through the SPI's meters, in a scrape of a real gateway's admin listener. */
class RateLimitMetersTest {

  @Test
  void decisionsAreCountedByRouteAsAllowedAndLimited() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start("""
            server:
              listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
            upstreams:
              backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
            routes:
              - id: limited
                match: { path: /limited/** }
                upstream: backend
                plugins:
                  - rate_limit: { algorithm: fixed_window, limit: 2, window: 1h, key: global }
            """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
        AdminServer admin = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), null)) {
      for (int i = 0; i < 5; i++) {
        gateway.send("GET", "/limited/" + i);
      }
      PrometheusText metrics = PrometheusText.scrape(admin.port());

      String decisions = "sluice_plugin_rate_limit_decisions_total";
      assertThat(metrics.value(decisions, "route", "limited", "decision", "allowed")).isEqualTo(2);
      assertThat(metrics.value(decisions, "route", "limited", "decision", "limited")).isEqualTo(3);
      assertThat(metrics.value("sluice_plugin_rejections_total", "route", "limited", "plugin", "rate_limit",
          "code", "RATE_LIMIT_EXCEEDED")).isEqualTo(3);
    }
  }
}
