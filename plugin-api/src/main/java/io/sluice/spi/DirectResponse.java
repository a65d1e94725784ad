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
 * gateway's. {@code Content-Length} is always set from the body (from its announced length for a
 * {@link StreamedBody}, or left out when that is unknown).
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
 * <p>A body that is still arriving when the plugin answers is a {@link StreamedBody}
 * ({@link #withStream}): the head goes out at once, the pieces as they come, at the pace the
 * client takes them. Only {@link Decision#respond} and {@link Decision#respondAndForward} take
 * such an answer; {@link Response#replaceWith} refuses it.
 *
 * @param status the HTTP status, 200..599
 * @param headers header fields, in order
 * @param body the body (UTF-8), possibly empty; empty when {@code bytes} is set
 * @param bytes the body as bytes, or {@code null} for the text {@code body}. The gateway sends the
 *     buffer's remaining bytes without copying them (and without moving its position), so the
 *     plugin must not change them afterwards; one buffer may serve many responses at once, which
 *     is what a cache does
 * @param stream the body as pieces still arriving, or {@code null} for {@code body} or {@code bytes};
 *     with a stream, {@code body} is empty and {@code bytes} {@code null} (since 1.2)
 */
public record DirectResponse(int status, Map<String, String> headers, String body, ByteBuffer bytes, StreamedBody stream) {

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
    if (stream != null && (bytes != null || !body.isEmpty())) {
      throw new IllegalArgumentException("a body streamed and given whole (expected: one of them)");
    }
  }

  /** A response with its body as text or as bytes (the canonical constructor of 1.0 and 1.1). */
  public DirectResponse(int status, Map<String, String> headers, String body, ByteBuffer bytes) {
    this(status, headers, body, bytes, null);
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
    return new DirectResponse(status, more, body, bytes, stream);
  }

  /** The same response with this body. */
  public DirectResponse withBody(String newBody) {
    return new DirectResponse(status, headers, newBody, null, null);
  }

  /**
   * The same response with these bytes as its body: the buffer's remaining bytes, sent without
   * copying. Do not change them afterwards.
   */
  public DirectResponse withBytes(ByteBuffer newBody) {
    return new DirectResponse(status, headers, "", java.util.Objects.requireNonNull(newBody, "body"));
  }

  /**
   * The same response with a body that arrives after the head, in pieces: see {@link StreamedBody}
   * for how the gateway pulls them and what it does when the body fails or the client goes away.
   * {@code Content-Length} is the stream's length when it gives one.
   *
   * {@snippet :
   * DirectResponse.of(200).withHeader("Content-Type", "text/plain").withStream(StreamedBody.of(publisher, 1024));
   * }
   *
   * @since 1.2
   */
  public DirectResponse withStream(StreamedBody newBody) {
    return new DirectResponse(status, headers, "", null, java.util.Objects.requireNonNull(newBody, "body"));
  }

  /**
   * Whether the body is a {@link StreamedBody}, still arriving.
   *
   * @since 1.2
   */
  public boolean isStreamed() {
    return stream != null;
  }
}
