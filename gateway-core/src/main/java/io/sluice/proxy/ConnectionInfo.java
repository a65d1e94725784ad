package io.sluice.proxy;

import java.security.cert.X509Certificate;

/**
 * Facts about a client connection, computed once when it opens (the client certificate once
 * its TLS handshake has finished, before the first request).
 *
 * @param peerIp the peer's IP as text (IPv6 without brackets)
 * @param trustedPeer whether the peer is in {@code server.trusted_proxies}: only then are its
 *     {@code X-Forwarded-*}, {@code Forwarded} and {@code X-Real-IP} headers kept
 * @param scheme {@code http} or {@code https}
 * @param localPort the listener port the client connected to
 * @param clientCertificate the certificate the client presented in the TLS handshake (verified
 *     against the listener's {@code client_ca}), or {@code null}
 */
public record ConnectionInfo(String peerIp, boolean trustedPeer, String scheme, int localPort, X509Certificate clientCertificate) {

  /** A connection without a client certificate. */
  public ConnectionInfo(String peerIp, boolean trustedPeer, String scheme, int localPort) {
    this(peerIp, trustedPeer, scheme, localPort, null);
  }

  public ConnectionInfo withClientCertificate(X509Certificate certificate) {
    return new ConnectionInfo(peerIp, trustedPeer, scheme, localPort, certificate);
  }
}
