package io.sluice.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import io.sluice.config.SniCertificate;
import io.sluice.config.TlsConfig;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The TLS side of one listener: one {@link SslContext} per certificate, built once at startup,
 * and the handler that starts each connection's pipeline. With {@code sni} entries the handler
 * is an {@link SniHandler} that picks the context by the client's server name and falls back to
 * the listener's own certificate; without, a plain {@link SslHandler}.
 */
final class TlsContexts {

  /** Longest ClientHello the SNI handler buffers before it gives up (Netty's default). */
  private static final int MAX_CLIENT_HELLO_BYTES = 16 * 1024;

  private static final System.Logger LOG = System.getLogger(TlsContexts.class.getName());

  private final String listener;
  private final SslProvider provider;
  private final SslContext defaultContext;
  private final Mapping<String, SslContext> byServerName;
  private final long handshakeTimeoutMillis;
  private final Counter handshakeFailures;

  private TlsContexts(String listener, SslProvider provider, SslContext defaultContext, Mapping<String, SslContext> byServerName,
      Duration handshakeTimeout, Counter handshakeFailures) {
    this.listener = listener;
    this.provider = provider;
    this.defaultContext = defaultContext;
    this.byServerName = byServerName;
    this.handshakeTimeoutMillis = handshakeTimeout.toMillis();
    this.handshakeFailures = handshakeFailures;
  }

  /**
   * Builds the contexts of listener {@code listener}, offering {@code alpnProtocols} in that order of
   * preference ({@link ApplicationProtocolNames}); handshakes that take longer than {@code handshakeTimeout} fail.
   *
   * @throws SSLException when a certificate or key file no longer reads as it did at load time
   */
  static TlsContexts build(String listener, TlsConfig tls, List<String> alpnProtocols, Duration handshakeTimeout,
      MeterRegistry meters) throws SSLException {
    SslProvider provider = provider();
    SslContext defaultContext = context(tls.cert(), tls.key(), tls, alpnProtocols, provider);
    Mapping<String, SslContext> byServerName = null;
    if (!tls.sni().isEmpty()) {
      DomainWildcardMappingBuilder<SslContext> mapping = new DomainWildcardMappingBuilder<>(defaultContext);
      for (SniCertificate entry : tls.sni()) {
        SslContext context = context(entry.cert(), entry.key(), tls, alpnProtocols, provider);
        entry.serverNames().forEach(name -> mapping.add(name, context));
      }
      byServerName = mapping.build();
    }
    Counter failures = Counter.builder("sluice.tls.handshake.failures")
        .description("TLS handshakes that failed (untrusted certificate, no common protocol, timeout, not TLS)")
        .tag("listener", listener)
        .register(meters);
    return new TlsContexts(listener, provider, defaultContext, byServerName, handshakeTimeout, failures);
  }

  /**
   * OpenSSL (netty-tcnative's BoringSSL) when it loads and is not disabled with
   * {@code -Dsluice.tls.provider=jdk}; the JDK's own TLS otherwise. Both behave the same to
   * clients; OpenSSL costs less CPU per handshake and per byte.
   */
  static SslProvider provider() {
    return !"jdk".equals(System.getProperty("sluice.tls.provider")) && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /** The TLS implementation as operators read it in the startup log, e.g. {@code OpenSSL (BoringSSL)} or {@code JDK}. */
  String providerName() {
    return provider == SslProvider.JDK ? "JDK" : "OpenSSL (" + OpenSsl.versionString() + ")";
  }

  private static SslContext context(Path cert, Path key, TlsConfig tls, List<String> alpnProtocols, SslProvider provider)
      throws SSLException {
    SslContextBuilder builder = SslContextBuilder.forServer(cert.toFile(), key.toFile())
        .sslProvider(provider)
        .protocols(tls.protocols())
        .ciphers(tls.ciphers().isEmpty() ? null : tls.ciphers())
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            alpnProtocols));
    switch (tls.clientAuth()) {
      case NONE -> builder.clientAuth(ClientAuth.NONE);
      case OPTIONAL -> builder.clientAuth(ClientAuth.OPTIONAL).trustManager(tls.clientCa().toFile());
      case REQUIRE -> builder.clientAuth(ClientAuth.REQUIRE).trustManager(tls.clientCa().toFile());
    }
    return builder.build();
  }

  /** The first handler of a new connection's pipeline. */
  ChannelHandler newHandler(ByteBufAllocator allocator) {
    if (byServerName != null) {
      return new SniHandler(byServerName, MAX_CLIENT_HELLO_BYTES, handshakeTimeoutMillis);
    }
    SslHandler handler = defaultContext.newHandler(allocator);
    handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    return handler;
  }

  /**
   * Counts a failed handshake. Clients fail handshakes all the time (scanners, expired trust
   * stores, plain HTTP sent to the TLS port), so this is a counter and a debug line, not a warning.
   */
  void handshakeFailed(String peer, Throwable cause) {
    handshakeFailures.increment();
    LOG.log(System.Logger.Level.DEBUG, "TLS handshake with {0} on listener ''{1}'' failed: {2}", peer, listener, cause.toString());
  }

  /** The client's certificate of a finished handshake, or empty when it sent none. */
  static Optional<X509Certificate> clientCertificate(SslHandler handler) {
    SSLSession session = handler.engine().getSession();
    try {
      if (session.getPeerCertificates().length > 0 && session.getPeerCertificates()[0] instanceof X509Certificate leaf) {
        return Optional.of(leaf);
      }
    } catch (SSLPeerUnverifiedException e) {
      // no client certificate: client_auth none, or optional and the client sent none
    }
    return Optional.empty();
  }

  /** Whether {@code cause} (or what it wraps) is a TLS failure rather than a bug. */
  static boolean isTlsFailure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return true;
      }
    }
    return false;
  }
}
