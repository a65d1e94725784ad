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

  // which hop-by-hop fields a request has, so that only those are looked up again
  private static final int CONNECTION = 1;
  private static final int KEEP_ALIVE = 2;
  private static final int TE = 4;
  private static final int TRANSFER_ENCODING = 8;
  private static final int UPGRADE = 16;
  private static final int PROXY_PREFIXED = 32;

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
    int hopByHop = 0;
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
      hopByHop |= hopByHopBit(name);
    }
    if (underscored) {
      dropUnderscored(headers);
    }
    if (hopByHop != 0) {
      removeHopByHop(headers, hopByHop);
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

  /** Removes {@code Connection}, the fields it names, and the other hop-by-hop fields ({@code seen}: their bits). */
  private static void removeHopByHop(HttpHeaders headers, int seen) {
    List<String> nominated = (seen & CONNECTION) != 0 ? nominatedFields(headers) : null;
    boolean teTrailers = (seen & TE) != 0 && headers.containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true);
    removeIf(headers, seen, CONNECTION, HttpHeaderNames.CONNECTION);
    removeIf(headers, seen, KEEP_ALIVE, HttpHeaderNames.KEEP_ALIVE);
    removeIf(headers, seen, TE, HttpHeaderNames.TE);
    removeIf(headers, seen, TRANSFER_ENCODING, HttpHeaderNames.TRANSFER_ENCODING);
    removeIf(headers, seen, UPGRADE, HttpHeaderNames.UPGRADE);
    if ((seen & PROXY_PREFIXED) != 0) {
      List<CharSequence> names = new ArrayList<>(2);
      for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
        CharSequence name = it.next().getKey();
        if (hopByHopBit(name) == PROXY_PREFIXED) {
          names.add(name);
        }
      }
      names.forEach(headers::remove);
    }
    if (nominated != null) {
      for (int i = 0; i < nominated.size(); i++) {
        headers.remove(nominated.get(i));
      }
    }
    if (teTrailers) {
      headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
  }

  private static void removeIf(HttpHeaders headers, int seen, int bit, AsciiString name) {
    if ((seen & bit) != 0) {
      headers.remove(name);
    }
  }

  private static int hopByHopBit(CharSequence name) {
    if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)) {
      return CONNECTION;
    }
    if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.KEEP_ALIVE)) {
      return KEEP_ALIVE;
    }
    if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TE)) {
      return TE;
    }
    if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING)) {
      return TRANSFER_ENCODING;
    }
    if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.UPGRADE)) {
      return UPGRADE;
    }
    return AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6) ? PROXY_PREFIXED : 0;
  }

  /**
   * The field names in the {@code Connection} values, without the connection options
   * {@code close} and {@code keep-alive}; {@code null} when there are none (the usual
   * {@code Connection: keep-alive} allocates nothing). Used for responses too ({@link ProxyHeaders#forClient}).
   */
  static List<String> nominatedFields(HttpHeaders headers) {
    List<String> names = null;
    for (Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(HttpHeaderNames.CONNECTION);
        values.hasNext(); ) {
      CharSequence value = values.next();
      int start = 0;
      for (int i = 0; i <= value.length(); i++) {
        if (i < value.length() && value.charAt(i) != ',') {
          continue;
        }
        int from = start;
        int to = i;
        while (from < to && isOws(value.charAt(from))) {
          from++;
        }
        while (to > from && isOws(value.charAt(to - 1))) {
          to--;
        }
        start = i + 1;
        if (from == to || isConnectionOption(value, from, to)) {
          continue;
        }
        if (names == null) {
          names = new ArrayList<>(2);
        }
        names.add(value.subSequence(from, to).toString());
      }
    }
    return names;
  }

  private static boolean isConnectionOption(CharSequence value, int from, int to) {
    return AsciiString.regionMatches(value, true, from, HttpHeaderValues.CLOSE, 0, HttpHeaderValues.CLOSE.length())
            && to - from == HttpHeaderValues.CLOSE.length()
        || AsciiString.regionMatches(value, true, from, HttpHeaderValues.KEEP_ALIVE, 0, HttpHeaderValues.KEEP_ALIVE.length())
            && to - from == HttpHeaderValues.KEEP_ALIVE.length();
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
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
