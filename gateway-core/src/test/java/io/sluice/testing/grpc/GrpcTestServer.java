package io.sluice.testing.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A real gRPC server (grpc-java, plaintext HTTP/2 without TLS) on 127.0.0.1 and a random port,
 * serving {@link EchoService}, and with {@link #startWithHealth()} also grpc-java's own
 * {@code grpc.health.v1.Health} service. It records what tests want to assert on: calls and
 * cancellations seen (of the echo service), the last request metadata, and what
 * {@link EchoService#SLOW} saw.
 *
 * <pre>{@code
 * try (GrpcTestServer server = GrpcTestServer.start();
 *      GrpcTestClient client = GrpcTestClient.plaintext("127.0.0.1", server.port())) {
 *   assertThat(client.unary(new byte[] {1})).containsExactly(1);
 * }
 * }</pre>
 */
public final class GrpcTestServer implements AutoCloseable {

  /** Inbound messages up to this size are accepted, so large-message tests need no setup here. */
  public static final int MAX_INBOUND_MESSAGE_SIZE = 32 * 1024 * 1024;

  private static final Context.Key<Metadata> REQUEST_HEADERS = Context.key("request-headers");

  private final Count calls = new Count();
  private final Count cancellations = new Count();
  private final Count slowCalls = new Count();
  private final AtomicReference<Metadata> lastHeaders = new AtomicReference<>(new Metadata());
  private final AtomicReference<Optional<Duration>> lastDeadline = new AtomicReference<>(Optional.empty());
  private final AtomicBoolean lastSlowCancelled = new AtomicBoolean();
  private volatile Status failing;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "grpc-test-server-timer");
    thread.setDaemon(true);
    return thread;
  });
  private final Server server;
  private final HealthStatusManager health;

  private GrpcTestServer(boolean withHealth) throws IOException {
    ServerServiceDefinition echo = ServerServiceDefinition.builder(EchoService.NAME)
        .addMethod(EchoService.UNARY, ServerCalls.asyncUnaryCall(this::unary))
        .addMethod(EchoService.SERVER_STREAM, ServerCalls.asyncServerStreamingCall(this::serverStream))
        .addMethod(EchoService.CLIENT_STREAM, ServerCalls.asyncClientStreamingCall(this::clientStream))
        .addMethod(EchoService.BIDI, ServerCalls.asyncBidiStreamingCall(this::bidi))
        .addMethod(EchoService.SLOW, ServerCalls.asyncUnaryCall(this::slow))
        .build();
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_SIZE)
        .addService(ServerInterceptors.intercept(echo, new Recorder()));
    health = withHealth ? new HealthStatusManager() : null;
    if (health != null) {
      builder.addService(health.getHealthService()); // not recorded: health checks are not echo calls
    }
    server = builder.build().start();
  }

  /** Starts a server on 127.0.0.1 and a free port, without a health service (health checks get UNIMPLEMENTED). */
  public static GrpcTestServer start() throws IOException {
    return new GrpcTestServer(false);
  }

  /**
   * Starts a server that also serves {@code grpc.health.v1.Health}, reporting SERVING for the
   * server as a whole ({@code ""}) until told otherwise through {@link #health()}.
   */
  public static GrpcTestServer startWithHealth() throws IOException {
    return new GrpcTestServer(true);
  }

  /** The health service's statuses, to set per service name; only for {@link #startWithHealth()} servers. */
  public HealthStatusManager health() {
    if (health == null) {
      throw new IllegalStateException("this server was started without a health service");
    }
    return health;
  }

  public int port() {
    return server.getPort();
  }

  /** Makes every unary call fail with {@code status} from now on (a server in trouble); {@code null} to recover. */
  public void failUnary(Status status) {
    this.failing = status;
  }

  /** Calls whose headers arrived, of any method. */
  public Count calls() {
    return calls;
  }

  /** Calls the server saw cancelled (client cancel, reset, deadline), of any method. */
  public Count cancellations() {
    return cancellations;
  }

  /** {@link EchoService#SLOW} calls that started waiting. */
  public Count slowCalls() {
    return slowCalls;
  }

  /** The request metadata of the last call that arrived. */
  public Metadata lastHeaders() {
    return lastHeaders.get();
  }

  /** The time left before the deadline as the last {@link EchoService#SLOW} call arrived; empty if it had none. */
  public Optional<Duration> lastDeadline() {
    return lastDeadline.get();
  }

  /** Whether the last {@link EchoService#SLOW} call was cancelled before it answered. */
  public boolean lastSlowCancelled() {
    return lastSlowCancelled.get();
  }

  @Override
  public void close() throws InterruptedException {
    if (health != null) {
      health.enterTerminalState();
    }
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
    timer.shutdownNow();
  }

  private void unary(byte[] request, StreamObserver<byte[]> responses) {
    Status trouble = failing;
    if (trouble != null) {
      responses.onError(trouble.asRuntimeException());
      return;
    }
    Metadata headers = REQUEST_HEADERS.get();
    String code = headers.get(EchoService.X_STATUS);
    if (code != null) {
      responses.onError(Status.fromCodeValue(Integer.parseInt(code)).withDescription(message(headers)).asRuntimeException());
      return;
    }
    responses.onNext(request);
    responses.onCompleted();
  }

  private static String message(Metadata headers) {
    byte[] utf8 = headers.get(EchoService.X_MESSAGE_BIN);
    return utf8 != null ? new String(utf8, StandardCharsets.UTF_8) : headers.get(EchoService.X_MESSAGE);
  }

  private void serverStream(byte[] request, StreamObserver<byte[]> responses) {
    int count = request.length == 0 ? 0 : request[0] & 0xFF;
    for (int i = 0; i < count; i++) {
      byte[] message = request.clone();
      message[0] = (byte) i;
      responses.onNext(message);
    }
    responses.onCompleted();
  }

  private StreamObserver<byte[]> clientStream(StreamObserver<byte[]> responses) {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    return requests(received::writeBytes, () -> {
      responses.onNext(received.toByteArray());
      responses.onCompleted();
    });
  }

  private StreamObserver<byte[]> bidi(StreamObserver<byte[]> responses) {
    return requests(responses::onNext, responses::onCompleted);
  }

  // The request side of a streaming method; a client that fails leaves no one to answer.
  private static StreamObserver<byte[]> requests(Consumer<byte[]> onMessage, Runnable onEnd) {
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] message) {
        onMessage.accept(message);
      }

      @Override
      public void onError(Throwable cause) {}

      @Override
      public void onCompleted() {
        onEnd.run();
      }
    };
  }

  private void slow(byte[] request, StreamObserver<byte[]> responses) {
    Deadline deadline = Context.current().getDeadline();
    lastDeadline.set(Optional.ofNullable(deadline).map(d -> Duration.ofNanos(d.timeRemaining(TimeUnit.NANOSECONDS))));
    lastSlowCancelled.set(false);
    ServerCallStreamObserver<byte[]> call = (ServerCallStreamObserver<byte[]>) responses;
    // With a handler set, answering a cancelled call is a no-op instead of an exception.
    call.setOnCancelHandler(() -> lastSlowCancelled.set(true));
    String delay = REQUEST_HEADERS.get().get(EchoService.X_DELAY_MS);
    timer.schedule(() -> {
      if (!call.isCancelled()) {
        call.onNext(request);
        call.onCompleted();
      }
    }, delay == null ? 0 : Long.parseLong(delay), TimeUnit.MILLISECONDS);
    slowCalls.increment();
  }

  /** Counts calls and cancellations, echoes request metadata, and adds the success trailers. */
  private final class Recorder implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      lastHeaders.set(headers);
      calls.increment();
      ServerCall<Q, R> echoing = new SimpleForwardingServerCall<>(call) {
        @Override
        public void sendHeaders(Metadata responseHeaders) {
          echo(headers, responseHeaders);
          super.sendHeaders(responseHeaders);
        }

        @Override
        public void close(Status status, Metadata trailers) {
          if (status.isOk()) {
            trailers.put(EchoService.X_TRAILER, "done");
            trailers.put(EchoService.X_TRAILER_BIN, EchoService.TRAILER_BIN_VALUE);
          }
          super.close(status, trailers);
        }
      };
      Context context = Context.current().withValue(REQUEST_HEADERS, headers);
      return new SimpleForwardingServerCallListener<>(Contexts.interceptCall(context, echoing, headers, next)) {
        @Override
        public void onCancel() {
          // After the method's own cancel handler, so a test that saw the count sees its effects.
          super.onCancel();
          cancellations.increment();
        }
      };
    }

    private static void echo(Metadata request, Metadata response) {
      for (String key : request.keys()) {
        if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          Metadata.Key<byte[]> echoed = EchoService.binary(EchoService.echoed(key));
          for (byte[] value : request.getAll(EchoService.binary(key))) {
            response.put(echoed, value);
          }
        } else {
          Metadata.Key<String> echoed = EchoService.ascii(EchoService.echoed(key));
          for (String value : request.getAll(EchoService.ascii(key))) {
            response.put(echoed, value);
          }
        }
      }
    }
  }
}
