package io.sluice.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import io.sluice.config.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's IP address behind trusted proxies: the peer itself, unless it is in
 * {@code server.trusted_proxies}; then the first hop, read from the right, of
 * {@code X-Forwarded-For} (or, when that is absent, of the {@code for=} parameters of
 * {@code Forwarded}) that is not itself a trusted proxy. A hop written by a trusted proxy that is
 * not an IP address ({@code unknown}, an obfuscated name) ends the walk at the last trusted address,
 * since nothing to its left can be believed. Headers from an untrusted peer are never read.
 */
public final class ForwardedClients {

  private ForwardedClients() {}

  /**
   * @param peerIp the TCP peer, as text
   * @param trustedPeer whether the peer is in {@code trustedProxies}
   * @param headers the request headers as the client sent them
   */
  public static String clientIp(String peerIp, boolean trustedPeer, HttpHeaders headers, List<Cidr> trustedProxies) {
    if (!trustedPeer) {
      return peerIp;
    }
    List<String> hops = new ArrayList<>();
    List<String> xff = headers.getAll(ProxyHeaders.X_FORWARDED_FOR);
    if (!xff.isEmpty()) {
      for (String value : xff) {
        for (String hop : value.split(",")) {
          hops.add(hop.trim());
        }
      }
    } else {
      for (String value : headers.getAll(ProxyHeaders.FORWARDED)) {
        forwardedFor(value, hops);
      }
    }
    String nearest = peerIp;
    for (int i = hops.size() - 1; i >= 0; i--) {
      String ip = address(hops.get(i));
      if (ip == null) {
        return nearest;
      }
      nearest = ip;
      InetAddress parsed = NetUtil.createInetAddressFromIpAddressString(ip);
      if (!isTrusted(parsed, trustedProxies)) {
        return ip;
      }
    }
    return nearest; // every hop is a trusted proxy: the farthest one is the client as far as we know
  }

  private static boolean isTrusted(InetAddress address, List<Cidr> trustedProxies) {
    for (int i = 0; i < trustedProxies.size(); i++) {
      if (trustedProxies.get(i).contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** The {@code for=} values of one {@code Forwarded} field (RFC 7239), in order. */
  private static void forwardedFor(String value, List<String> out) {
    for (String element : value.split(",")) {
      for (String pair : element.split(";")) {
        String trimmed = pair.trim();
        if (trimmed.regionMatches(true, 0, "for=", 0, 4)) {
          String node = trimmed.substring(4).trim();
          if (node.length() >= 2 && node.startsWith("\"") && node.endsWith("\"")) {
            node = node.substring(1, node.length() - 1);
          }
          out.add(node);
        }
      }
    }
  }

  /**
   * The IP address of a hop ({@code 1.2.3.4}, {@code 1.2.3.4:5678}, {@code [::1]}, {@code [::1]:80},
   * {@code ::1}) in canonical text, or {@code null} when it is not an address.
   */
  static String address(String hop) {
    String text = hop;
    if (text.startsWith("[")) {
      int end = text.indexOf(']');
      if (end < 0) {
        return null;
      }
      text = text.substring(1, end);
    } else {
      int colon = text.indexOf(':');
      if (colon >= 0 && text.indexOf(':', colon + 1) < 0) {
        text = text.substring(0, colon); // IPv4 with a port
      }
    }
    if (NetUtil.isValidIpV4Address(text)) {
      return text;
    }
    if (NetUtil.isValidIpV6Address(text)) {
      return NetUtil.toAddressString(NetUtil.createInetAddressFromIpAddressString(text));
    }
    return null;
  }
}
