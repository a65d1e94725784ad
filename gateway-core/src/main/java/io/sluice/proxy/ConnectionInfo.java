package io.sluice.proxy;

/**
 * Facts about a client connection, computed once when it opens.
 *
 * @param peerIp the peer's IP as text (IPv6 without brackets)
 * @param trustedPeer whether the peer is in {@code server.trusted_proxies}: only then are its
 *     {@code X-Forwarded-*}, {@code Forwarded} and {@code X-Real-IP} headers kept
 * @param scheme {@code http} or {@code https}
 * @param localPort the listener port the client connected to
 */
public record ConnectionInfo(String peerIp, boolean trustedPeer, String scheme, int localPort) {}
