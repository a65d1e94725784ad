package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Durations, sizes, endpoint URLs and CIDRs: the accepted forms and the messages for the rest. */
class ConfigValuesTest {

  @Test
  void durations() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "10     | '10' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)",
      "1.5s   | '1.5s' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)",
      "-1s    | '-1s' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)",
      "s      | 's' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)",
      "1w     | '1w' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)",
      "10S    | '10S' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)",
      "'1 s'  | '1 s' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)",
      "99999999999999999999d | '99999999999999999999d' is too large (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)",
  })
  void badDurations(String text, String message) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void sizes() {
    assertThat(Sizes.parse("512")).isEqualTo(512);
    assertThat(Sizes.parse("512B")).isEqualTo(512);
    assertThat(Sizes.parse("16KiB")).isEqualTo(16 * 1024);
    assertThat(Sizes.parse("10MiB")).isEqualTo(10L * 1024 * 1024);
    assertThat(Sizes.parse("1GiB")).isEqualTo(1L << 30);
    assertThat(Sizes.parse("1KB")).isEqualTo(1_000);
    assertThat(Sizes.parse("10MB")).isEqualTo(10_000_000);
    assertThat(Sizes.parse("2GB")).isEqualTo(2_000_000_000L);
    assertThat(Sizes.parse("0")).isZero();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "16kib  | '16kib' (expected: a size such as 512, 16KiB, 10MiB, 1GiB or 10MB)",
      "1.5MiB | '1.5MiB' (expected: a size such as 512, 16KiB, 10MiB, 1GiB or 10MB)",
      "MiB    | 'MiB' (expected: a size such as 512, 16KiB, 10MiB, 1GiB or 10MB)",
      "-1     | '-1' (expected: a size such as 512, 16KiB, 10MiB, 1GiB or 10MB)",
      "1TB    | '1TB' (expected: a size such as 512, 16KiB, 10MiB, 1GiB or 10MB)",
      "99999999999GiB | '99999999999GiB' is too large (expected: a size such as 512, 16KiB, 10MiB, 1GiB or 10MB)",
  })
  void badSizes(String text, String message) {
    assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void endpoints() {
    assertThat(Endpoints.parse("http://127.0.0.1:9001")).isEqualTo(new Endpoint("http", "127.0.0.1", 9001));
    assertThat(Endpoints.parse("HTTP://Users.Internal")).isEqualTo(new Endpoint("http", "users.internal", 80));
    assertThat(Endpoints.parse("http://[::1]:8080")).isEqualTo(new Endpoint("http", "::1", 8080));
    assertThat(Endpoints.parse("http://my_service:80/")).isEqualTo(new Endpoint("http", "my_service", 80));
    assertThat(Endpoints.parse("https://users")).isEqualTo(new Endpoint("https", "users", 443));
    assertThat(Endpoints.parse("HTTPS://users:8443")).isEqualTo(new Endpoint("https", "users", 8443));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "users:9001             | 'users:9001' (expected: a URL such as http://127.0.0.1:9001)",
      "ftp://users            | 'ftp://users' has the scheme 'ftp' (expected: http or https)",
      "http://users/api       | 'http://users/api' has a path (expected: http[s]://host[:port] only; paths and headers are changed per route)",
      "http://users?x=1       | 'http://users?x=1' has a query (expected: http[s]://host[:port] only; paths and headers are changed per route)",
      "http://users#top       | 'http://users#top' has a fragment (expected: http[s]://host[:port] only; paths and headers are changed per route)",
      "http://me:pw@users     | 'http://me:pw@users' has user info (expected: http[s]://host[:port] only; paths and headers are changed per route)",
      "http://users:0         | 'http://users:0' has an invalid port '0' (expected: 1..65535)",
      "http://users:65536     | 'http://users:65536' has an invalid port '65536' (expected: 1..65535)",
      "http://users:          | 'http://users:' has an invalid port '' (expected: 1..65535)",
      "http://::1             | 'http://::1' has an IPv6 address without brackets (expected: http://[::1]:9001)",
      "http://[::g]:1         | 'http://[::g]:1' has an invalid IPv6 address '::g'",
      "http://bad host        | 'http://bad host' has an invalid host 'bad host' (expected: a host name or an IP address)",
      "http://10.0.0.256      | 'http://10.0.0.256' has an invalid host '10.0.0.256' (expected: a host name or an IP address)",
      "http://                | 'http://' has an invalid host '' (expected: a host name or an IP address)",
  })
  void badEndpoints(String url, String message) {
    assertThatThrownBy(() -> Endpoints.parse(url)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void trustedProxiesAreCidrsOrSingleAddresses() throws Exception {
    GatewayConfig config = YamlSnippets.valid("""
        server:
          listeners: [{ name: a, port: 8080 }]
          trusted_proxies: [10.0.0.0/8, 192.168.1.7, "::1", "fd00::/8"]
        routes: []
        """);

    assertThat(config.server().trustedProxies())
        .containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("192.168.1.7/32"), Cidr.parse("::1/128"), Cidr.parse("fd00::/8"));
  }

  @Test
  void sizeLimitsWithinRangeAreCheckedPerKey() {
    assertThat(YamlSnippets.problems("""
        server:
          listeners: [{ name: a, port: 8080 }]
          limits: { max_header_bytes: 0, min_request_body_rate: 0, max_body_bytes: 0 }
        routes: []
        """)).containsExactly("sluice.yaml:3:31 server.limits.max_header_bytes: '0' (expected: a size of at least 1 byte)");
  }
}
