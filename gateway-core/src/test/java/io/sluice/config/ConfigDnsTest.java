package io.sluice.config;

import static io.sluice.config.YamlSnippets.problems;
import static io.sluice.config.YamlSnippets.valid;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code server.dns}: how upstream host names are resolved. */
class ConfigDnsTest {

  @Test
  void withoutADnsBlockTheSystemsNameServersAreAskedWithTheDefaults() throws ConfigException {
    DnsConfig dns = valid("""
        server:
          listeners: [{ name: a, port: 8080 }]
        routes: []
        """).server().dns();

    assertThat(dns).isEqualTo(DnsConfig.DEFAULTS);
    assertThat(dns.nameServers()).isEmpty();
    assertThat(dns.maxTtl()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void nameServersAreAddressesWithAnOptionalPort() throws ConfigException {
    DnsConfig dns = valid("""
        server:
          listeners: [{ name: a, port: 8080 }]
          dns:
            name_servers: [10.0.0.2, "10.0.0.3:5353", "::1", "[fd00::53]:5300"]
            min_ttl: 5s
            max_ttl: 1m
            negative_ttl: 0s
            query_timeout: 500ms
        routes: []
        """).server().dns();

    assertThat(dns.nameServers()).containsExactly(
        new InetSocketAddress("10.0.0.2", 53), new InetSocketAddress("10.0.0.3", 5353),
        new InetSocketAddress("::1", 53), new InetSocketAddress("fd00::53", 5300));
    assertThat(dns.minTtl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(dns.maxTtl()).isEqualTo(Duration.ofMinutes(1));
    assertThat(dns.negativeTtl()).isZero();
    assertThat(dns.queryTimeout()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void dnsMistakesNameTheValueAndTheAcceptedForm() {
    assertThat(problems("""
        server:
          listeners: [{ name: a, port: 8080 }]
          dns:
            name_servers: [dns.example.com, "10.0.0.2:0", 10.0.0.2, "10.0.0.2:53"]
            min_ttl: 10m
            max_ttl: 1m
            query_timeout: 0s
            negativ_ttl: 5s
        routes: []
        """)).containsExactly(
            "sluice.yaml:4:20 server.dns.name_servers[0]: 'dns.example.com' (expected: an IP address with an optional port, "
                + "such as 10.0.0.2, 10.0.0.2:5353 or [fd00::53]:53)",
            "sluice.yaml:4:37 server.dns.name_servers[1]: '10.0.0.2:0' has an invalid port '0' (expected: 1..65535)",
            "sluice.yaml:4:61 server.dns.name_servers[3]: duplicate name server '10.0.0.2 53' (first at line 4)",
            "sluice.yaml:6:14 server.dns.max_ttl: max_ttl is shorter than min_ttl (expected: max_ttl >= min_ttl)",
            "sluice.yaml:7:20 server.dns.query_timeout: '0s' (expected: a duration greater than 0, such as 10s)",
            "sluice.yaml:8:5 server.dns: unknown key 'negativ_ttl' (did you mean 'negative_ttl'?)");
  }
}
