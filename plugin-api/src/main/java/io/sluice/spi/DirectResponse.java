package io.sluice.spi;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response a plugin answers with instead of the upstream's.
 *
 * <p>It is checked when it is made, so that a bad answer fails in the plugin that made it (a
 * {@code PLUGIN_ERROR} naming the plugin) instead of when the gateway writes it: the status must
 * be a final one, every header name a token and every value sendable ({@link Headers#isValidName},
 * {@link Headers#isValidValue}), and the connection and framing headers ({@code Connection},
 * {@code Keep-Alive}, {@code Proxy-Connection}, {@code Transfer-Encoding}, {@code TE}) are the
 * gateway's. {@code Content-Length} is always set from the body.
 *
 * {@snippet :
 * DirectResponse.of(204).withHeader("Access-Control-Allow-Origin", origin);
 * DirectResponse.of(200).withHeader("Content-Type", "text/plain").withBody("pong");
 * DirectResponse.of(200).withHeader("X-Note", "line one\nline two");  // IllegalArgumentException: cannot be sent
 * DirectResponse.of(200).withBytes(ByteBuffer.wrap(storedBytes));         // bytes sent as they are, not copied
 * }
 *
 * <p>A response to a {@code HEAD} request carries the {@code Content-Length} of its body and no
 * body (RFC 9110 section 9.3.2): a plugin may answer {@code HEAD} and {@code GET} alike.
 *
 * @param status the HTTP status, 200..599
 * @param headers header fields, in order
 * @param body the body (UTF-8), possibly empty; empty when {@code bytes} is set
 * @param bytes the body as bytes, or {@code null} for the text {@code body}. The gateway sends the
 *     buffer's remaining bytes without copying them (and without moving its position), so the
 *     plugin must not change them afterwards; one buffer may serve many responses at once, which
 *     is what a cache does
 */
public record DirectResponse(int status, Map<String, String> headers, String body, ByteBuffer bytes) {

  /** @throws IllegalArgumentException when the status, a header or the body cannot be sent */
  public DirectResponse {
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("status " + status + " (expected: 200..599, a final response)");
    }
    headers = AnswerHeaders.checked(headers);
    if (body == null) {
      throw new IllegalArgumentException("body: null (expected: a string, possibly empty)");
    }
    if (bytes != null) {
      if (!body.isEmpty()) {
        throw new IllegalArgumentException("a body as text and as bytes (expected: one of them)");
      }
      bytes = bytes.asReadOnlyBuffer();
    }
  }

  /** A response with a text body. */
  public DirectResponse(int status, Map<String, String> headers, String body) {
    this(status, headers, body, null);
  }

  /** An empty response with {@code status}. */
  public static DirectResponse of(int status) {
    return new DirectResponse(status, Map.of(), "");
  }

  /**
   * The same response with one more header.
   *
   * @throws IllegalArgumentException when the name is not a token, the value cannot be sent, or the
   *     header is one the gateway sets
   */
  public DirectResponse withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new DirectResponse(status, more, body, bytes);
  }

  /** The same response with this body. */
  public DirectResponse withBody(String newBody) {
    return new DirectResponse(status, headers, newBody, null);
  }

  /**
   * The same response with these bytes as its body: the buffer's remaining bytes, sent without
   * copying. Do not change them afterwards.
   */
  public DirectResponse withBytes(ByteBuffer newBody) {
    return new DirectResponse(status, headers, "", java.util.Objects.requireNonNull(newBody, "body"));
  }
}
