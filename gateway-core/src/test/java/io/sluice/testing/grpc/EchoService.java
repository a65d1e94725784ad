package io.sluice.testing.grpc;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The {@code test.Echo} service's methods and the metadata they understand: what a client needs
 * to call {@link GrpcTestServer}. Messages are raw bytes.
 *
 * <ul>
 *   <li>{@link #UNARY}: answers the request. Request metadata comes back as response headers,
 *       each key prefixed {@code echo-} ({@code -bin} keys too). {@link #X_STATUS} makes it fail
 *       with that status code, described by {@link #X_MESSAGE} or the UTF-8 of
 *       {@link #X_MESSAGE_BIN} (for non-ASCII). Every successful call of any method ends with the
 *       trailers {@link #X_TRAILER} {@code = done} and {@link #X_TRAILER_BIN} {@code =}
 *       {@link #TRAILER_BIN_VALUE}.
 *   <li>{@link #SERVER_STREAM}: answers N messages, N the first byte of the request (unsigned);
 *       message i is the request with its first byte set to i.
 *   <li>{@link #CLIENT_STREAM}: answers once, at the end, with all it received concatenated.
 *   <li>{@link #BIDI}: answers each message as it arrives, so both directions can be interleaved.
 *   <li>{@link #SLOW}: answers the request after {@link #X_DELAY_MS} milliseconds; the server
 *       records the deadline it saw and whether the call was cancelled.
 * </ul>
 */
public final class EchoService {

  public static final String NAME = "test.Echo";

  /** Marshals {@code byte[]} messages as they are. */
  public static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try (stream) {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  public static final MethodDescriptor<byte[], byte[]> UNARY = method("Unary", MethodType.UNARY);
  public static final MethodDescriptor<byte[], byte[]> SERVER_STREAM = method("ServerStream", MethodType.SERVER_STREAMING);
  public static final MethodDescriptor<byte[], byte[]> CLIENT_STREAM = method("ClientStream", MethodType.CLIENT_STREAMING);
  public static final MethodDescriptor<byte[], byte[]> BIDI = method("Bidi", MethodType.BIDI_STREAMING);
  public static final MethodDescriptor<byte[], byte[]> SLOW = method("Slow", MethodType.UNARY);

  /** Request: the status code to fail with. */
  public static final Metadata.Key<String> X_STATUS = ascii("x-status");
  /** Request: the failure's description, ASCII. */
  public static final Metadata.Key<String> X_MESSAGE = ascii("x-message");
  /** Request: the failure's description as UTF-8 bytes, for text that is not ASCII. */
  public static final Metadata.Key<byte[]> X_MESSAGE_BIN = binary("x-message-bin");
  /** Request, {@link #SLOW}: how long to wait before answering, in milliseconds. */
  public static final Metadata.Key<String> X_DELAY_MS = ascii("x-delay-ms");
  /** Trailer of every successful call: {@code done}. */
  public static final Metadata.Key<String> X_TRAILER = ascii("x-trailer");
  /** Binary trailer of every successful call: {@link #TRAILER_BIN_VALUE}. */
  public static final Metadata.Key<byte[]> X_TRAILER_BIN = binary("x-trailer-bin");

  /** Bytes that survive only binary-safe handling: a NUL, a CR LF, and a byte above 0x7F. */
  public static final byte[] TRAILER_BIN_VALUE = {0, 1, '\r', '\n', (byte) 0xFF};

  private EchoService() {}

  /** The key under which {@code key}'s values come back in the response headers. */
  public static String echoed(String key) {
    return "echo-" + key;
  }

  public static Metadata.Key<String> ascii(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }

  /** A binary key; {@code name} must end in {@code -bin}. */
  public static Metadata.Key<byte[]> binary(String name) {
    return Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER);
  }

  private static MethodDescriptor<byte[], byte[]> method(String name, MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(NAME, name))
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
  }
}
