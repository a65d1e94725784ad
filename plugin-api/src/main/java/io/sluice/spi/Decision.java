package io.sluice.spi;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What {@link Plugin#onRequest} (and {@link Plugin#onRequestBody}) decides: go on with the chain,
 * answer the client now, or decide later without blocking the event loop.
 *
 * {@snippet :
 * return Decision.proceed();                                                  // no allocation
 * return Decision.reply(GatewayError.of(ErrorCode.FORBIDDEN, "Not allowed")); // JSON error / gRPC status
 * return Decision.respond(DirectResponse.of(204).withHeader("Access-Control-Allow-Origin", origin));
 * return Decision.respond(DirectResponse.of(200).withStream(StreamedBody.of(pieces))); // the body as it arrives
 * return Decision.await(client.lookup(key), (exchange, found) -> found ? Decision.proceed() : denied);
 * }
 *
 * <p><b>Deciding later.</b> Work that waits (an HTTP call, a Redis command, a key fetch) returns
 * {@link #await(CompletionStage, Resume)}: the gateway stops reading from the client, and when
 * the stage completes it runs the {@link Resume} step <em>on the exchange's event loop</em>, where
 * the plugin may read and change the exchange (headers, attributes) and decide. The stage itself
 * completes on whatever thread the client library uses: code chained onto it with
 * {@code thenApply} and the like must not touch the exchange, and the gateway refuses any change
 * to the exchange from a thread that does not own it ({@link IllegalStateException}, a
 * {@code PLUGIN_ERROR}).
 *
 * {@snippet :
 * @Override
 * public Decision onRequest(Exchange exchange) {
 *   String key = exchange.requestHeaders().get("x-api-key");            // read before waiting
 *   return Decision.await(store.lookup(key),                             // CompletionStage<Consumer>, does not block
 *       (ex, consumer) -> {                                               // on the event loop again
 *         if (consumer == null) {
 *           return invalidKey;
 *         }
 *         ex.attributes().put(CONSUMER, consumer.name());                 // safe here
 *         ex.requestHeaders().set("x-consumer", consumer.name());
 *         return Decision.proceed();
 *       });
 * }
 * }
 *
 * <p>The plugin has its {@code timeout} (10 s unless the plugin entry sets another) to decide,
 * across every stage it awaits; then the client gets 504 {@code PLUGIN_TIMEOUT} (gRPC
 * {@code DEADLINE_EXCEEDED}). A stage that completes after that, or after the client went away,
 * is ignored: its resume step never runs. The gateway does not cancel the stage (it may be shared
 * with other requests), so give the client call its own timeout too. A stage that completes
 * exceptionally, or a resume step that throws, is a plugin failure (500 {@code PLUGIN_ERROR});
 * to answer a failure differently, turn it into a result first ({@code stage.exceptionally(...)}).
 */
public sealed interface Decision {

  /** Go on with the next plugin, and then the upstream. A shared constant. */
  static Decision proceed() {
    return Proceed.INSTANCE;
  }

  /** Answer with an error: rendered as the JSON error shape for HTTP, a gRPC status for gRPC. */
  static Decision reply(GatewayError error) {
    return new Reply(error);
  }

  /** Answer with this response (not an error: e.g. a CORS preflight); the upstream is not called. */
  static Decision respond(DirectResponse response) {
    return new Respond(response);
  }

  /**
   * Answer the client with {@code response} now, and then send the request, as it stands after this
   * plugin's {@code onRequest}, to the upstream in the background: what a cache does to refresh a
   * stale response it just served ({@code stale-while-revalidate}). The plugins after this one do
   * not run. The client's exchange ends as with {@link #respond}: every plugin's
   * {@code onResponse} and {@code onComplete} see the answer. The background request is then seen
   * by this plugin alone: its {@code onResponse}, {@code onResponseBodyChunk} and {@code onComplete}
   * are called once more, with the same exchange, for the upstream's response, which goes nowhere
   * else (replacing it changes nothing). It is not in the access log or the request metrics.
   *
   * <p>Only for requests without a body; for one with a body this is the same as {@link #respond}.
   * When the client connection closes first, the background request still runs.
   */
  static Decision respondAndForward(DirectResponse response) {
    return new RespondAndForward(response);
  }

  /**
   * Decide when {@code stage} completes: {@code resume} then runs on the exchange's event loop with
   * the exchange and the stage's result, may read and change the exchange, and returns the
   * decision (which may be another {@code await}). See the class comment.
   *
   * @param stage the work that is waited for; it may complete on any thread
   * @param resume what to decide with its result, on the exchange's event loop
   */
  static <T> Decision await(CompletionStage<T> stage, Resume<? super T> resume) {
    return new Await<>(stage, resume);
  }

  /**
   * Decide when {@code later} completes with the decision. The chain resumes on the exchange's
   * event loop; the decision itself is computed on whatever thread completes the stage, so it must
   * not touch the exchange: when the result changes the exchange, use
   * {@link #await(CompletionStage, Resume)}.
   */
  static Decision await(CompletionStage<Decision> later) {
    return new Await<>(later, Await.AS_DECIDED);
  }

  /**
   * The step that decides with the result of an awaited stage, on the exchange's event loop.
   *
   * @param <T> the result of the stage
   */
  @FunctionalInterface
  interface Resume<T> {

    /**
     * Decides, on the exchange's event loop: the one place after an await where the exchange may
     * be read and changed. Never called when the stage failed, the plugin's timeout passed or the
     * client went away.
     *
     * @param exchange the exchange that awaited
     * @param result what the stage completed with (possibly {@code null}, for a {@code CompletionStage<Void>})
     */
    Decision decide(Exchange exchange, T result);
  }

  /** Continue. */
  final class Proceed implements Decision {
    static final Proceed INSTANCE = new Proceed();

    private Proceed() {}

    @Override
    public String toString() {
      return "proceed";
    }
  }

  /** Answer with an error. */
  record Reply(GatewayError error) implements Decision {
    public Reply {
      Objects.requireNonNull(error, "error");
    }
  }

  /** Answer with a response. */
  record Respond(DirectResponse response) implements Decision {
    public Respond {
      Objects.requireNonNull(response, "response");
    }
  }

  /** Answer with a response, then forward the request in the background. */
  record RespondAndForward(DirectResponse response) implements Decision {
    public RespondAndForward {
      Objects.requireNonNull(response, "response");
    }
  }

  /**
   * Decide later: when {@code stage} completes, with {@code resume}.
   *
   * @param <T> the result of the stage
   */
  record Await<T>(CompletionStage<T> stage, Resume<? super T> resume) implements Decision {

    private static final Resume<Decision> AS_DECIDED = (exchange, decision) -> decision;

    public Await {
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(resume, "resume");
    }

    /**
     * For a plugin's unit tests, without a gateway: the decision this comes to for
     * {@code exchange}, following nested awaits. The resume steps run on the thread that completes
     * each stage (the gateway runs them on the exchange's event loop instead).
     */
    public CompletionStage<Decision> decision(Exchange exchange) {
      return stage.thenCompose(result -> {
        Decision next = resume.decide(exchange, result);
        return next instanceof Await<?> again ? again.decision(exchange) : CompletableFuture.completedFuture(next);
      });
    }
  }
}
