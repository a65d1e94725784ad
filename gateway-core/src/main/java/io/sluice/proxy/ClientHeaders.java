package io.sluice.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.sluice.config.ListenerConfig.UnderscoreHeaders;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The rules for the header fields a client sent, applied once, in place, before routing and
 * plugins see them (and to request trailers before they are forwarded):
 *
 * <ul>
 *   <li>a field larger than {@code server.limits.max_header_field_bytes} refuses the request (431);
 *   <li>a name with {@code _} is dropped, refused (400) or kept, as the listener says;
 *   <li>hop-by-hop fields go, with every field the client's {@code Connection} names (RFC 9110
 *       7.6.1): here, on what the client sent, so a client can never make the gateway remove what a
 *       plugin adds later. {@code TE} is kept as {@code trailers} when it lists that (gRPC needs it);
 *   <li>the headers no client may send (the configured plugins' identity headers and
 *       {@code server.strip_request_headers}) are removed, so only plugins can set them.
 * </ul>
 *
 * <p>The common request (no oversized field, no {@code _}, no hop-by-hop field) costs one pass
 * over the fields and no allocation besides the iterator.
 */
public final class ClientHeaders {

  private static final int MAX_NAME_IN_MESSAGE = 64;

  private ClientHeaders() {}

  /**
   * Applies the rules to {@code headers}.
   *
   * @param underscores the listener's {@code headers_with_underscores}
   * @param maxFieldBytes the largest field allowed, counted as the bytes of its name and value
   * @param stripped names no client may send, lower case
   * @param joinedCookies whether {@code cookie} is the join of separate fields (HTTP/2 sends each
   *     cookie as its own field and the conversion to HTTP/1.1 joins them); each is then measured alone
   * @return the error the request is refused with, or {@code null} to go on
   */
  public static GatewayError screen(HttpHeaders headers, UnderscoreHeaders underscores, int maxFieldBytes,
      List<AsciiString> stripped, boolean joinedCookies) {
    boolean underscored = false;
    boolean hopByHop = false;
    boolean proxyPrefixed = false;
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
      Map.Entry<CharSequence, CharSequence> field = it.next();
      CharSequence name = field.getKey();
      CharSequence value = field.getValue();
      int size = name.length() + (joinedCookies && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.COOKIE)
          ? longestCookie(value) : value.length());
      if (size > maxFieldBytes) {
        return GatewayError.of(ErrorCode.HEADERS_TOO_LARGE, "Header field '" + shortName(name) + "' is larger than "
            + maxFieldBytes + " bytes");
      }
      if (underscores != UnderscoreHeaders.ALLOW && hasUnderscore(name)) {
        if (underscores == UnderscoreHeaders.REJECT) {
          return GatewayError.of(ErrorCode.BAD_REQUEST, "Header field names with '_' are not accepted ('"
              + shortName(name) + "')");
        }
        underscored = true;
      }
      if (ProxyHeaders.isHopByHop(name)) {
        hopByHop = true;
        proxyPrefixed |= AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6);
      }
    }
    if (underscored) {
      dropUnderscored(headers);
    }
    if (hopByHop) {
      removeHopByHop(headers, proxyPrefixed);
    }
    for (int i = 0; i < stripped.size(); i++) {
      headers.remove(stripped.get(i));
    }
    return null;
  }

  private static void dropUnderscored(HttpHeaders headers) {
    List<CharSequence> names = new ArrayList<>(2);
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (hasUnderscore(name)) {
        names.add(name);
      }
    }
    names.forEach(headers::remove);
  }

  /** Removes {@code Connection}, the fields it names, and the other hop-by-hop fields. */
  private static void removeHopByHop(HttpHeaders headers, boolean proxyPrefixed) {
    boolean teTrailers = headers.containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true);
    List<String> nominated = ProxyHeaders.connectionTokens(headers);
    headers.remove(HttpHeaderNames.CONNECTION)
        .remove(HttpHeaderNames.KEEP_ALIVE)
        .remove(HttpHeaderNames.TE)
        .remove(HttpHeaderNames.TRANSFER_ENCODING)
        .remove(HttpHeaderNames.UPGRADE);
    if (proxyPrefixed) {
      List<CharSequence> names = new ArrayList<>(2);
      for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
        CharSequence name = it.next().getKey();
        if (ProxyHeaders.isHopByHop(name)) {
          names.add(name);
        }
      }
      names.forEach(headers::remove);
    }
    for (int i = 0; i < nominated.size(); i++) {
      headers.remove(nominated.get(i));
    }
    if (teTrailers) {
      headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
  }

  /** The longest cookie in a {@code Cookie} value joined with {@code "; "}. */
  private static int longestCookie(CharSequence value) {
    int longest = 0;
    int start = 0;
    for (int i = 0; i <= value.length(); i++) {
      if (i == value.length() || value.charAt(i) == ';') {
        longest = Math.max(longest, i - start);
        start = i + 2; // "; "
      }
    }
    return longest;
  }

  private static boolean hasUnderscore(CharSequence name) {
    if (name instanceof AsciiString ascii) {
      return ascii.indexOf('_', 0) >= 0;
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) == '_') {
        return true;
      }
    }
    return false;
  }

  private static String shortName(CharSequence name) {
    return name.length() > MAX_NAME_IN_MESSAGE ? name.subSequence(0, MAX_NAME_IN_MESSAGE) + "..." : name.toString();
  }
}
