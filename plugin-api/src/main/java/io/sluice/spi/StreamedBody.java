package io.sluice.spi;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * The body of a plugin's answer when it is not all there yet: the head goes out now, the body's
 * pieces as they arrive ({@link DirectResponse#withStream}). What a cache answers an identical
 * request with while the first response is still coming from the upstream.
 *
 * <p>The body is a {@link Flow.Publisher} of {@link ByteBuffer}s, with the demand of
 * {@link Flow}: the gateway subscribes once, on the exchange's event loop, when it has sent the
 * head, and requests pieces only while the client keeps up (one at a time; more once the client
 * took the last one). The publisher may signal from any thread, for instance another event loop
 * where the bytes arrive; the gateway moves every signal to the exchange's event loop
 * ({@link Exchange#executor()}), in order.
 *
 * <ul>
 *   <li>{@code onNext(piece)}: the piece's remaining bytes go to the client as they are, not
 *       copied. The gateway reads them after {@code onNext} returned, on its own thread, so the
 *       plugin must never change them afterwards (hand out a slice of bytes that stay as they are,
 *       as {@link DirectResponse#bytes} asks too). An empty piece is allowed and sends nothing.
 *   <li>{@code onComplete()}: the body ended; so does the response.
 *   <li>{@code onError(failure)}: the body cannot be completed. The client must not take what it
 *       got for the whole response, so the gateway cuts it: HTTP/1.1 closes the connection (a
 *       chunked body misses its last chunk, a sized one its last bytes), HTTP/2 resets the stream.
 *       The access log names {@code plugin_stream_failed}.
 *   <li>{@link Flow.Subscription#cancel()}: the gateway wants no more, because the client went
 *       away or stopped reading past the write timeout. Release what the body holds then; a
 *       signal after it is ignored.
 * </ul>
 *
 * <p>The gateway never subscribes when the answer has no body (a {@code HEAD} request, status
 * {@code 204} or {@code 304}, a status another plugin set) or is never written (the client went
 * away first, another plugin replaced it): a publisher should hold nothing until it is subscribed
 * to. It subscribes at most once, so one publisher (and one {@code DirectResponse}) serves one
 * exchange. The gateway does not time a body out: end it (or fail it) yourself if its source
 * stalls.
 *
 * {@snippet :
 * Flow.Publisher<ByteBuffer> pieces = myGrowingBuffer.publisher();     // yours: any Flow.Publisher
 * return Decision.respond(DirectResponse.of(200)
 *     .withHeader("Content-Type", "application/json")
 *     .withStream(StreamedBody.of(pieces, announcedLength)));         // -1: length unknown
 * }
 *
 * @param source the pieces of the body
 * @param length the length the body will have, in bytes, sent as {@code Content-Length}; {@code -1}
 *     when it is not known (HTTP/1.1 then sends the body chunked, HTTP/2 without a length). A body
 *     that turns out longer or shorter than a length given is cut as by {@code onError}
 * @since 1.2
 */
public record StreamedBody(Flow.Publisher<ByteBuffer> source, long length) {

  /** @throws IllegalArgumentException when the source is missing or the length is below -1 */
  public StreamedBody {
    if (source == null) {
      throw new IllegalArgumentException("source: null (expected: a Flow.Publisher of the body's pieces)");
    }
    if (length < -1) {
      throw new IllegalArgumentException("length " + length + " (expected: >= 0, or -1 when unknown)");
    }
  }

  /** A body of unknown length. */
  public static StreamedBody of(Flow.Publisher<ByteBuffer> source) {
    return new StreamedBody(source, -1);
  }

  /** A body of {@code length} bytes ({@code -1}: unknown). */
  public static StreamedBody of(Flow.Publisher<ByteBuffer> source, long length) {
    return new StreamedBody(source, length);
  }

  @Override
  public String toString() {
    return "StreamedBody[length=" + length + ", source=" + Objects.toIdentityString(source) + "]";
  }
}
