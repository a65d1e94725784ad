package io.sluice.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.AdminServer;
import io.sluice.config.AdminConfig;
import io.sluice.server.ConfigReloads;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.Poll;
import io.sluice.testing.PrometheusText;
import io.sluice.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard shipped in the distribution reads only series the gateway exports: every
 * metric name in its PromQL expressions is in a scrape of a real gateway after traffic.
 */
class GrafanaDashboardTest {

  private static final Path DASHBOARD = Path.of("..", "packaging", "src", "dist", "grafana", "sluice-dashboard.json");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "offset", "bool", "and", "or", "unless", "Inf", "NaN");

  @Test
  void everyMetricTheDashboardQueriesIsExportedAfterTraffic(@TempDir Path dir) throws Exception {
    List<String> exprs = expressions(new ObjectMapper().readTree(DASHBOARD.toFile()));
    Set<String> queried = new TreeSet<>();
    exprs.forEach(expr -> queried.addAll(metricNames(expr)));
    assertThat(queried).as("metric names in the dashboard").hasSizeGreaterThan(15)
        .contains("sluice_requests_total", "sluice_request_duration_seconds_bucket", "sluice_config_reloads_total");
    assertThat(exprs).anyMatch(expr -> expr.startsWith("histogram_quantile(0.99, sum by (le"));

    try (TestUpstream upstream = new TestUpstream();
        Gateway gateway = Gateway.start(MetricsScrapeTest.CONFIG, Map.of("UPSTREAM", String.valueOf(upstream.port())));
        AdminServer admin = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), gateway.server(), null)) {
      Path file = Files.writeString(dir.resolve("sluice.yaml"), MetricsScrapeTest.CONFIG.replace("${UPSTREAM}", String.valueOf(upstream.port())));
      try (ConfigReloads reloads = new ConfigReloads(gateway.server(), file, gateway.plugins().catalog())) {
        assertThat(reloads.reload("test").get().success()).isTrue();
      }
      gateway.send("GET", "/api/one");
      gateway.send("POST", "/api/two");
      gateway.send("GET", "/api/denied", "x-deny", "1");
      try (H2Client client = H2Client.h2c(gateway.port())) {
        assertThat(client.get("/api/three").status()).isEqualTo(200);
      }
      System.gc(); // so that a GC pause has been recorded
      Poll.until("every queried series exported", () -> exported(admin).containsAll(queried),
          () -> "missing: " + queried.stream().filter(name -> !exported(admin).contains(name)).toList());
    }
  }

  @Test
  void metricNamesAreFoundInPromQl() {
    assertThat(metricNames("histogram_quantile(0.99, sum by (le, route) (rate(sluice_request_duration_seconds_bucket"
        + "{route=~\"$route\",status_class=\"5xx\"}[$__rate_interval]))) / on (route) group_left sum(up_total offset 5m)"))
        .containsExactlyInAnyOrder("sluice_request_duration_seconds_bucket", "up_total");
  }

  private static Set<String> exported(AdminServer admin) {
    try {
      return MetricsScrapeTest.scrape(admin).samples().stream().map(PrometheusText.Sample::name).collect(Collectors.toSet());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every {@code expr} of every panel target, in rows too. */
  private static List<String> expressions(JsonNode dashboard) {
    List<String> out = new ArrayList<>();
    dashboard.findValues("targets").forEach(targets -> targets.forEach(target -> out.add(target.get("expr").asText())));
    return out;
  }

  /**
   * The metric names of a PromQL expression: what is left once strings, label matchers, range and
   * offset durations, grouping label lists, function and aggregation names, keywords and numbers
   * are taken out.
   */
  static Set<String> metricNames(String expr) {
    String rest = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^\\]]*]", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
        .replaceAll("\\boffset\\s+\\w+", " ");
    Set<String> names = new TreeSet<>();
    Matcher identifier = IDENTIFIER.matcher(rest);
    while (identifier.find()) {
      String name = identifier.group();
      int after = identifier.end();
      while (after < rest.length() && rest.charAt(after) == ' ') {
        after++;
      }
      boolean call = after < rest.length() && rest.charAt(after) == '(';
      boolean number = identifier.start() > 0 && Character.isDigit(rest.charAt(identifier.start() - 1));
      if (!call && !number && !PROMQL_WORDS.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }
}
