package io.sluice.testing.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NegotiationType;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A grpc-java client for {@link EchoService} (or any service with {@code byte[]} messages), on a
 * channel to one host and port, plaintext or TLS. Request metadata and a deadline are set with
 * {@link #withHeaders} and {@link #withDeadline}, which return views sharing the channel.
 *
 * <p>Three ways to call: blocking ({@link #unary(byte[])}, {@link #serverStream(byte[])}),
 * asynchronous with a {@link StreamObserver} (for interleaving and cancelling), and
 * {@link #call} which waits and records everything, status included, without throwing.
 */
public final class GrpcTestClient implements AutoCloseable {

  /** grpc-java's default limit on inbound messages. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = 4 * 1024 * 1024;

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final Metadata headers;     // null: none
  private final Duration deadline;    // null: none

  private GrpcTestClient(ManagedChannel channel, boolean ownsChannel, Metadata headers, Duration deadline) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.headers = headers;
    this.deadline = deadline;
  }

  /** A plaintext (h2c, prior knowledge) client with the default message size limit. */
  public static GrpcTestClient plaintext(String host, int port) {
    return builder(host, port).build();
  }

  public static Builder builder(String host, int port) {
    return new Builder(host, port);
  }

  /**
   * {@code size} bytes in a pattern that shows where a corruption happened: byte i is
   * {@code i % 251} (a prime, so the pattern does not line up with frame or buffer sizes).
   */
  public static byte[] largeMessage(int size) {
    byte[] message = new byte[size];
    for (int i = 0; i < size; i++) {
      message[i] = (byte) (i % 251);
    }
    return message;
  }

  public ManagedChannel channel() {
    return channel;
  }

  /** A view of this client that sends {@code headers} with every call. */
  public GrpcTestClient withHeaders(Metadata headers) {
    return new GrpcTestClient(channel, false, headers, deadline);
  }

  /** A view of this client whose calls each have {@code timeout} from when they start. */
  public GrpcTestClient withDeadline(Duration timeout) {
    return new GrpcTestClient(channel, false, headers, timeout);
  }

  /** {@link EchoService#UNARY}, blocking. Throws {@code StatusRuntimeException} on failure. */
  public byte[] unary(byte[] request) {
    return ClientCalls.blockingUnaryCall(channel(null), EchoService.UNARY, options(), request);
  }

  /** {@link EchoService#SERVER_STREAM}, blocking: responses as they arrive. */
  public Iterator<byte[]> serverStream(byte[] request) {
    return ClientCalls.blockingServerStreamingCall(channel(null), EchoService.SERVER_STREAM, options(), request);
  }

  /** Starts a unary call of {@code method}; the returned call can be {@linkplain ClientCall#cancel cancelled}. */
  public ClientCall<byte[], byte[]> unary(MethodDescriptor<byte[], byte[]> method, byte[] request,
      StreamObserver<byte[]> responses) {
    ClientCall<byte[], byte[]> call = channel(null).newCall(method, options());
    ClientCalls.asyncUnaryCall(call, request, responses);
    return call;
  }

  /**
   * Starts {@link EchoService#CLIENT_STREAM}. Send with the returned observer; it is a
   * {@code ClientCallStreamObserver}, so it can also cancel.
   */
  public StreamObserver<byte[]> clientStream(StreamObserver<byte[]> responses) {
    return ClientCalls.asyncClientStreamingCall(channel(null).newCall(EchoService.CLIENT_STREAM, options()), responses);
  }

  /** Starts {@link EchoService#BIDI}; as {@link #clientStream}. */
  public StreamObserver<byte[]> bidi(StreamObserver<byte[]> responses) {
    return ClientCalls.asyncBidiStreamingCall(channel(null).newCall(EchoService.BIDI, options()), responses);
  }

  /**
   * Calls {@code method} with {@code requests} (exactly one for unary and server-streaming
   * methods), waits for it to end, and returns what the client saw. Never throws for a failed
   * call: the status says how it ended.
   */
  public GrpcResult call(MethodDescriptor<byte[], byte[]> method, List<byte[]> requests)
      throws InterruptedException, TimeoutException {
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    ClientCall<byte[], byte[]> call = channel(MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers))
        .newCall(method, options());
    RecordingObserver responses = new RecordingObserver();
    switch (method.getType()) {
      case UNARY -> ClientCalls.asyncUnaryCall(call, only(requests), responses);
      case SERVER_STREAMING -> ClientCalls.asyncServerStreamingCall(call, only(requests), responses);
      default -> {
        StreamObserver<byte[]> out = method.getType() == MethodDescriptor.MethodType.CLIENT_STREAMING
            ? ClientCalls.asyncClientStreamingCall(call, responses)
            : ClientCalls.asyncBidiStreamingCall(call, responses);
        requests.forEach(out::onNext);
        out.onCompleted();
      }
    }
    Status status = responses.awaitDone(CALL_TIMEOUT);
    return new GrpcResult(status, orEmpty(responseHeaders.get()), responses.messages(), orEmpty(trailers.get()));
  }

  @Override
  public void close() throws InterruptedException {
    if (ownsChannel) {
      channel.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private Channel channel(io.grpc.ClientInterceptor extra) {
    Channel intercepted = channel;
    if (headers != null) {
      intercepted = ClientInterceptors.intercept(intercepted, MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    return extra == null ? intercepted : ClientInterceptors.intercept(intercepted, extra);
  }

  private CallOptions options() {
    return deadline == null
        ? CallOptions.DEFAULT
        : CallOptions.DEFAULT.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static byte[] only(List<byte[]> requests) {
    if (requests.size() != 1) {
      throw new IllegalArgumentException("requests: " + requests.size() + " (expected: exactly 1 for this method)");
    }
    return requests.getFirst();
  }

  private static Metadata orEmpty(Metadata metadata) {
    return metadata == null ? new Metadata() : metadata;
  }

  /** How to reach the server: plaintext by default, message size limit, TLS. */
  public static final class Builder {

    private final String host;
    private final int port;
    private int maxInboundMessageSize = DEFAULT_MAX_INBOUND_MESSAGE_SIZE;
    private Path trustedCertificate;
    private String authority;

    private Builder(String host, int port) {
      this.host = host;
      this.port = port;
    }

    public Builder maxInboundMessageSize(int bytes) {
      this.maxInboundMessageSize = bytes;
      return this;
    }

    /** Room for responses of {@code messageBytes}: the limit counts the message, not its 5-byte frame header. */
    public Builder forMessagesOf(int messageBytes) {
      return maxInboundMessageSize(Math.max(DEFAULT_MAX_INBOUND_MESSAGE_SIZE, messageBytes));
    }

    /** TLS, trusting the certificates in {@code pemFile} (a test CA, or the server's own certificate). */
    public Builder tls(Path pemFile) {
      this.trustedCertificate = pemFile;
      return this;
    }

    /** The {@code :authority} (and TLS server name) to use instead of {@code host:port}. */
    public Builder authority(String authority) {
      this.authority = authority;
      return this;
    }

    public GrpcTestClient build() {
      NettyChannelBuilder channel = NettyChannelBuilder.forAddress(host, port)
          .maxInboundMessageSize(maxInboundMessageSize);
      if (authority != null) {
        channel.overrideAuthority(authority);
      }
      if (trustedCertificate == null) {
        channel.negotiationType(NegotiationType.PLAINTEXT);
      } else {
        try {
          channel.negotiationType(NegotiationType.TLS)
              .sslContext(GrpcSslContexts.forClient().trustManager(trustedCertificate.toFile()).build());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return new GrpcTestClient(channel.build(), true, null, null);
    }
  }
}
