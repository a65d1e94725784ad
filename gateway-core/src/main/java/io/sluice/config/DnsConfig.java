package io.sluice.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The {@code server.dns:} section: how upstream host names are resolved.
 *
 * @param nameServers the DNS servers to ask, in order; empty for those of {@code /etc/resolv.conf}
 * @param minTtl an answer is kept at least this long, whatever its TTL says
 * @param maxTtl an answer is kept at most this long, whatever its TTL says
 * @param negativeTtl how long a failed lookup (no such name, no answer) is remembered before asking again
 * @param queryTimeout how long one query may take before the next name server (or failure)
 */
public record DnsConfig(List<InetSocketAddress> nameServers, Duration minTtl, Duration maxTtl, Duration negativeTtl,
    Duration queryTimeout) {

  public static final DnsConfig DEFAULTS =
      new DnsConfig(List.of(), Duration.ZERO, Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofSeconds(2));

  public DnsConfig {
    nameServers = List.copyOf(nameServers);
  }
}
