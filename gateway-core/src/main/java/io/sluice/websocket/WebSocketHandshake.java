package io.sluice.websocket;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.config.WebSocketConfig;
import io.sluice.spi.AllowedOrigins;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** The RFC 6455 opening handshake: what makes a request an upgrade, and what a valid one carries. */
public final class WebSocketHandshake {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WebSocketHandshake() {}

  /** Whether {@code request} asks to become a WebSocket: {@code Upgrade: websocket} and {@code Connection: upgrade}. */
  public static boolean isRequested(HttpRequest request) {
    HttpHeaders headers = request.headers();
    return headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
        && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
  }

  /**
   * Why a request to route {@code routeId} cannot be served as a WebSocket, or {@code null} when it
   * can. {@code websocket} is the route's section ({@code null}: the route proxies no WebSockets);
   * {@code upgrade} whether the request asks for one.
   */
  public static GatewayError refusal(String routeId, WebSocketConfig websocket, boolean upgrade, HttpRequest request,
      HttpHeaders headers) {
    if (websocket == null) {
      return upgrade ? GatewayError.of(ErrorCode.BAD_REQUEST, "Route '" + routeId + "' does not accept WebSocket connections")
          .withDetails("websocket.not_enabled") : null;
    }
    if (!upgrade) {
      return GatewayError.of(ErrorCode.UPGRADE_REQUIRED, "Route '" + routeId + "' accepts WebSocket connections only")
          .withHeader("Upgrade", "websocket").withDetails("websocket.upgrade_required");
    }
    if (!HttpMethod.GET.equals(request.method()) || !HttpVersion.HTTP_1_1.equals(request.protocolVersion())) {
      return GatewayError.of(ErrorCode.BAD_REQUEST, "A WebSocket upgrade is a GET request over HTTP/1.1")
          .withDetails("websocket.bad_handshake");
    }
    if (!"13".equals(headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
      return GatewayError.of(ErrorCode.UPGRADE_REQUIRED, "Only WebSocket version 13 is supported")
          .withHeader("Sec-WebSocket-Version", "13").withDetails("websocket.version");
    }
    if (!isKey(headers.get(HttpHeaderNames.SEC_WEBSOCKET_KEY))) {
      return GatewayError.of(ErrorCode.BAD_REQUEST, "Sec-WebSocket-Key must be 16 bytes in base64")
          .withDetails("websocket.bad_handshake");
    }
    return null;
  }

  /**
   * Cross-site WebSocket hijacking: a browser sends the page's origin with every upgrade, and a
   * route with {@code allowed_origins} accepts only those. A request without {@code Origin} comes
   * from no browser page and is not refused; {@code null} (sandboxed pages, files) is refused
   * unless listed.
   */
  public static GatewayError originRefusal(AllowedOrigins allowed, HttpHeaders headers) {
    if (allowed == null) {
      return null;
    }
    String origin = headers.get(HttpHeaderNames.ORIGIN);
    if (origin == null || allowed.allows(origin)) {
      return null;
    }
    return GatewayError.of(ErrorCode.FORBIDDEN, "Origin is not allowed to open a WebSocket here")
        .withDetails("websocket.origin_refused origin=" + (origin.length() > 100 ? origin.substring(0, 100) : origin));
  }

  private static boolean isKey(String key) {
    if (key == null || key.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key.trim()).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A fresh {@code Sec-WebSocket-Key}, for the gateway's own handshake with the upstream. */
  static String newKey() {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    return Base64.getEncoder().encodeToString(nonce);
  }

  /** The {@code Sec-WebSocket-Accept} that answers {@code key}. */
  static String accept(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }

  /** Whether {@code chosen} (the upstream's {@code Sec-WebSocket-Protocol}) is one the client offered. */
  static boolean offered(HttpHeaders request, String chosen) {
    for (String line : request.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
      for (String offer : line.split(",")) {
        if (offer.trim().equals(chosen)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The compiled allow-list of {@code websocket}, or {@code null} when every origin may connect. */
  public static AllowedOrigins allowedOrigins(WebSocketConfig websocket) {
    List<String> origins = websocket.allowedOrigins();
    return origins.isEmpty() ? null : AllowedOrigins.of(origins);
  }
}
