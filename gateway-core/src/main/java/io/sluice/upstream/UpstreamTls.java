package io.sluice.upstream;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.sluice.config.UpstreamConfig;
import io.sluice.config.UpstreamTlsConfig;
import javax.net.ssl.SSLException;

/** Builds the client TLS context of an upstream, once per config snapshot. */
final class UpstreamTls {

  private UpstreamTls() {}

  /**
   * A context that verifies the upstream's certificate chain and name (unless told not to),
   * presents the client certificate if one is configured, and offers with ALPN only the protocol
   * the upstream is configured for, so that an upstream that cannot speak it fails the handshake
   * or is caught right after it.
   *
   * @throws SSLException when a file no longer reads as it did at load time
   */
  static SslContext context(UpstreamTlsConfig tls, UpstreamConfig.Protocol protocol) throws SSLException {
    String alpn = protocol == UpstreamConfig.Protocol.H2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1;
    SslContextBuilder builder = SslContextBuilder.forClient()
        .sslProvider(provider())
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            // the only behaviours both the JDK and OpenSSL implement
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            alpn));
    if (tls.insecureSkipVerify()) {
      builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
    } else {
      builder.endpointIdentificationAlgorithm("HTTPS");
      if (tls.ca() != null) {
        builder.trustManager(tls.ca().toFile());
      }
    }
    if (tls.cert() != null) {
      builder.keyManager(tls.cert().toFile(), tls.key().toFile());
    }
    return builder.build();
  }

  /** OpenSSL when it loads (it costs less CPU per handshake and byte), unless {@code -Dsluice.tls.provider=jdk}. */
  private static SslProvider provider() {
    return !"jdk".equals(System.getProperty("sluice.tls.provider")) && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }
}
