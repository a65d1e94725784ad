package io.sluice.proxy;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.sluice.config.HeaderOps;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The header rules of a proxy: hop-by-hop fields are dropped in both directions (RFC 9110
 * 7.6.1), {@code Via} is appended, forwarding headers are set from what the gateway saw, and
 * a client's claims about earlier hops are only kept when it is a trusted proxy.
 *
 * <p>The fields a client's {@code Connection} names are removed when the request arrives, before
 * plugins run ({@link ClientHeaders}); here, after plugins, only the fixed hop-by-hop names are
 * dropped, because the gateway manages the upstream connection and its framing itself. So no
 * client can make the gateway remove a header a plugin set.
 */
public final class ProxyHeaders {

  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
  static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
  static final AsciiString FORWARDED = AsciiString.cached("forwarded");
  public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
  static final AsciiString VIA_VALUE = AsciiString.cached("1.1 sluice");

  private ProxyHeaders() {}

  /** The hop-by-hop names with a fixed spelling; {@code Proxy-*} are the others. */
  private static final List<AsciiString> FIXED_HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION,
      HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.TE, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);

  /** Whether {@code name} is a hop-by-hop field that never crosses the gateway. */
  public static boolean isHopByHop(CharSequence name) {
    for (int i = 0; i < FIXED_HOP_BY_HOP.size(); i++) {
      if (AsciiString.contentEqualsIgnoreCase(name, FIXED_HOP_BY_HOP.get(i))) {
        return true;
      }
    }
    return AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6);
  }

  /** The headers sent upstream for {@code head}. */
  public static HttpHeaders forUpstream(RequestHead head, ConnectionInfo client, String requestId, HeaderOps ops) {
    HttpHeaders in = head.headers();
    HttpHeaders out = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
    boolean trusted = client.trustedPeer();
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence(); it.hasNext(); ) {
      Map.Entry<CharSequence, CharSequence> field = it.next();
      CharSequence name = field.getKey();
      if (isHopByHop(name)
          || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.EXPECT)
          || AsciiString.contentEqualsIgnoreCase(name, X_REQUEST_ID)
          || !trusted && isForwarding(name)) {
        continue;
      }
      out.add(name, field.getValue());
    }
    if (!head.authority().isEmpty()) {
      out.set(HttpHeaderNames.HOST, head.authority()); // for absolute-form targets, the target's authority
    }
    String xff = trusted ? in.get(X_FORWARDED_FOR) : null;
    out.set(X_FORWARDED_FOR, xff == null ? client.peerIp() : xff + ", " + client.peerIp());
    setUnlessTrusted(out, X_FORWARDED_PROTO, client.scheme(), trusted);
    setUnlessTrusted(out, X_FORWARDED_HOST, head.authority(), trusted);
    setUnlessTrusted(out, X_FORWARDED_PORT, Integer.toString(client.localPort()), trusted);
    setUnlessTrusted(out, X_REAL_IP, client.peerIp(), trusted);
    String element = forwardedElement(client, head.authority());
    String forwarded = trusted ? in.get(FORWARDED) : null;
    out.set(FORWARDED, forwarded == null ? element : forwarded + ", " + element);
    appendVia(out);
    out.set(X_REQUEST_ID, requestId);
    apply(ops, out);
    return out;
  }

  /**
   * Turns an upstream response's fields into those sent to the client, in place: the response's
   * own map is what the client gets, so it is not copied field by field on every request. The
   * caller must have read what it needs of the hop-by-hop fields (keep-alive) before.
   */
  public static HttpHeaders forClient(HttpHeaders upstream, String requestId, HeaderOps ops) {
    List<String> nominated = ClientHeaders.nominatedFields(upstream); // the fields Connection names
    if (nominated != null) {
      nominated.forEach(upstream::remove);
    }
    for (int i = 0; i < FIXED_HOP_BY_HOP.size(); i++) {
      upstream.remove(FIXED_HOP_BY_HOP.get(i));
    }
    removeProxyPrefixed(upstream);
    appendVia(upstream);
    upstream.set(X_REQUEST_ID, requestId);
    apply(ops, upstream);
    return upstream;
  }

  /** Drops the {@code Proxy-*} fields, the hop-by-hop names without a fixed spelling. */
  private static void removeProxyPrefixed(HttpHeaders headers) {
    List<CharSequence> found = null;
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6)) {
        if (found == null) {
          found = new ArrayList<>(2);
        }
        found.add(name);
      }
    }
    if (found != null) {
      found.forEach(headers::remove);
    }
  }

  /**
   * {@code te: trailers} for an HTTP/2 upstream when the client sent {@code te} with
   * {@code trailers}: the one {@code te} value HTTP/2 allows, and gRPC servers insist on it.
   * Over HTTP/1.1 {@code te} is hop-by-hop and dropped.
   */
  public static void keepTeTrailers(HttpHeaders client, HttpHeaders upstream) {
    if (client.containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true)) {
      upstream.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
  }

  /**
   * Applies a route's header changes: remove, then set, then add. The names (checked when the config
   * was read) go through {@link HeaderNameCache}, so they are not hashed again on every request.
   */
  public static void apply(HeaderOps ops, HttpHeaders headers) {
    if (ops.isEmpty()) {
      return;
    }
    HeaderNameCache names = HeaderNameCache.SHARED;
    for (String name : ops.remove()) {
      headers.remove(names.lookup(name));
    }
    ops.set().forEach((name, value) -> headers.set(names.lookup(name), value));
    ops.add().forEach((name, value) -> headers.add(names.lookup(name), value));
  }

  private static boolean isForwarding(CharSequence name) {
    return AsciiString.contentEqualsIgnoreCase(name, FORWARDED)
        || AsciiString.contentEqualsIgnoreCase(name, X_REAL_IP)
        || AsciiString.regionMatches(name, true, 0, "x-forwarded-", 0, 12);
  }

  private static void setUnlessTrusted(HttpHeaders out, AsciiString name, String value, boolean trusted) {
    if (!trusted || !out.contains(name)) {
      out.set(name, value);
    }
  }

  private static void appendVia(HttpHeaders out) {
    String via = out.get(HttpHeaderNames.VIA);
    if (via == null) {
      out.set(HttpHeaderNames.VIA, VIA_VALUE);
    } else {
      out.set(HttpHeaderNames.VIA, via + ", " + VIA_VALUE);
    }
  }

  private static String forwardedElement(ConnectionInfo client, String authority) {
    String ip = client.peerIp();
    String forNode = ip.indexOf(':') >= 0 ? "\"[" + ip + "]\"" : ip;
    // one concatenation per case: the exact length is allocated once, with no builder to copy from
    if (authority.isEmpty()) {
      return "for=" + forNode + ";proto=" + client.scheme();
    }
    if (isToken(authority)) {
      return "for=" + forNode + ";host=" + authority + ";proto=" + client.scheme();
    }
    return "for=" + forNode + ";host=\"" + authority + "\";proto=" + client.scheme();
  }

  /** Whether {@code authority} can be a {@code Forwarded} value without quotes (here: letters, digits, '.', '-'). */
  private static boolean isToken(String authority) {
    for (int i = 0; i < authority.length(); i++) {
      char c = authority.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-')) {
        return false;
      }
    }
    return true;
  }
}
