package io.sluice.config;

import java.nio.file.Path;

/**
 * TLS from the gateway to an upstream's {@code https://} endpoints. Files are absolute paths,
 * checked at load time like a listener's.
 *
 * @param ca PEM bundle of the CAs that sign the upstream's certificate; {@code null} for the
 *     JDK's default trust store
 * @param cert PEM client certificate chain presented to the upstream (mutual TLS); {@code null} for none
 * @param key PEM PKCS#8 private key of {@code cert}; {@code null} exactly when {@code cert} is
 * @param serverName the name sent as SNI and checked against the upstream's certificate;
 *     {@code null} for each endpoint's own host
 * @param insecureSkipVerify whether the upstream's certificate is accepted without any check
 *     (test setups only: it gives up protection against a man in the middle)
 */
public record UpstreamTlsConfig(Path ca, Path cert, Path key, String serverName, boolean insecureSkipVerify) {

  /** System trust, no client certificate, the endpoint's host as the server name. */
  public static final UpstreamTlsConfig DEFAULTS = new UpstreamTlsConfig(null, null, null, null, false);
}
