package io.sluice.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code server:} section.
 *
 * @param listeners at least one listener
 * @param admin the admin listener
 * @param trustedProxies peers whose {@code X-Forwarded-*} / {@code Forwarded} headers are kept and appended to
 * @param limits protocol and size limits for clients
 * @param http2 HTTP/2 settings of client connections
 * @param eventLoops number of I/O threads; {@code 0} means one per available core
 * @param transport which socket implementation the event loops use
 * @param drainTimeout how long SIGTERM waits for in-flight exchanges before exiting
 * @param accessLog whether and how one access-log line is written per exchange
 * @param dns how upstream host names are resolved
 * @param stripRequestHeaders header names (lower case) removed from every client request before routing and
 *     plugins, besides those the configured plugins declare (see {@code PluginFactory#identityHeaders})
 * @param reload whether the config file is watched for changes; applied at once by a reload
 * @param tracing W3C trace context propagation
 * @param overload in-flight cap and memory-pressure thresholds
 */
public record ServerConfig(
    List<ListenerConfig> listeners,
    AdminConfig admin,
    List<Cidr> trustedProxies,
    LimitsConfig limits,
    Http2Config http2,
    int eventLoops,
    IoTransport transport,
    Duration drainTimeout,
    AccessLogConfig accessLog,
    DnsConfig dns,
    List<String> stripRequestHeaders,
    ReloadConfig reload,
    TracingConfig tracing,
    OverloadConfig overload) {

  public ServerConfig {
    listeners = List.copyOf(listeners);
    trustedProxies = List.copyOf(trustedProxies);
    stripRequestHeaders = List.copyOf(stripRequestHeaders);
  }

  /** A server with the default overload protection. */
  public ServerConfig(List<ListenerConfig> listeners, AdminConfig admin, List<Cidr> trustedProxies, LimitsConfig limits,
      Http2Config http2, int eventLoops, IoTransport transport, Duration drainTimeout, AccessLogConfig accessLog,
      DnsConfig dns, List<String> stripRequestHeaders, ReloadConfig reload, TracingConfig tracing) {
    this(listeners, admin, trustedProxies, limits, http2, eventLoops, transport, drainTimeout, accessLog, dns,
        stripRequestHeaders, reload, tracing, OverloadConfig.DEFAULTS);
  }

  /** The {@code transport:} choice; {@code AUTO} takes the best one the machine can run. */
  public enum IoTransport { AUTO, IO_URING, EPOLL, NIO }
}
