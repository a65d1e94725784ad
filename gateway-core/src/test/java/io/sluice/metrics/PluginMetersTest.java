package io.sluice.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.spi.Meters;
import io.sluice.testing.PrometheusText;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The SPI's meters as a plugin sees them, exported by the gateway's Prometheus registry. */
class PluginMetersTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private PrometheusText scrape() {
    return PrometheusText.parse(registry.scrape());
  }

  @Test
  void metersArePrefixedWithThePluginAndTaggedWithTheRoute() {
    Meters meters = new PluginMeters(registry, "my_auth", "users");
    meters.counter("checks", "result", "ok").increment();
    meters.counter("checks", "result", "ok").increment(2);
    meters.timer("lookup").record(3, TimeUnit.MILLISECONDS);
    meters.gauge("keys", () -> 7);

    PrometheusText metrics = scrape();
    assertThat(metrics.value("sluice_plugin_my_auth_checks_total", "result", "ok", "route", "users")).isEqualTo(3);
    assertThat(metrics.value("sluice_plugin_my_auth_lookup_seconds_count", "route", "users")).isEqualTo(1);
    assertThat(metrics.value("sluice_plugin_my_auth_lookup_seconds_bucket", "route", "users", "le", "0.005")).isEqualTo(1);
    assertThat(metrics.value("sluice_plugin_my_auth_keys", "route", "users")).isEqualTo(7);
  }

  @Test
  void aReplacingInstanceContinuesCountersAndItsGaugeReadsTheNewSupplier() {
    new PluginMeters(registry, "cache", "r").counter("hits").increment();
    AtomicInteger oldEntries = new AtomicInteger(5);
    new PluginMeters(registry, "cache", "r").gauge("entries", oldEntries::get);

    Meters replacing = new PluginMeters(registry, "cache", "r");
    replacing.counter("hits").increment();
    replacing.gauge("entries", () -> 9);

    assertThat(scrape().value("sluice_plugin_cache_hits_total", "route", "r")).isEqualTo(2);
    assertThat(scrape().value("sluice_plugin_cache_entries", "route", "r")).isEqualTo(9);
  }

  @Test
  void badNamesAndTagsAndUnboundedTagsAreRefusedWithTheirReason() {
    Meters meters = new PluginMeters(registry, "p", "r");
    assertThatThrownBy(() -> meters.counter("Bad-Name")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("meter name 'Bad-Name' (expected: lower-case snake case");
    assertThatThrownBy(() -> meters.counter("ok", "route", "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("other than 'route'");
    assertThatThrownBy(() -> meters.counter("ok", "odd")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key, value pairs");
    assertThatThrownBy(() -> meters.counter("ok", "user", "")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> meters.counter("ok").increment(-1)).isInstanceOf(IllegalArgumentException.class);

    for (int i = 0; i < Meters.MAX_METERS - 1; i++) {
      meters.counter("requests", "user", "u" + i);
    }
    meters.counter("requests", "user", "u0"); // the same meter again is not another one
    assertThatThrownBy(() -> meters.counter("requests", "user", "one-too-many"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("registered " + Meters.MAX_METERS + " meters already");
    assertThat(scrape().samples("sluice_plugin_p_requests_total")).hasSize(Meters.MAX_METERS - 1);
  }
}
