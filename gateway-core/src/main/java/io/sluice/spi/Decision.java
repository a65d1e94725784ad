package io.sluice.spi;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What {@link Plugin#onRequest} decides: go on with the chain, answer the client now, or
 * decide later without blocking the event loop.
 *
 * {@snippet :
 * return Decision.proceed();                                                  // no allocation
 * return Decision.reply(GatewayError.of(ErrorCode.FORBIDDEN, "Not allowed")); // JSON error / gRPC status
 * return Decision.respond(DirectResponse.of(204).withHeader("Access-Control-Allow-Origin", origin));
 * return Decision.await(client.lookup(key).thenApply(found -> found ? Decision.proceed() : denied));
 * }
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
   * Decide when {@code later} completes. The chain resumes on the exchange's event loop; a stage
   * that completes exceptionally is a plugin failure (500 {@code PLUGIN_ERROR}).
   */
  static Decision await(CompletionStage<Decision> later) {
    return new Await(later);
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

  /** Decide later. */
  record Await(CompletionStage<Decision> later) implements Decision {
    public Await {
      Objects.requireNonNull(later, "later");
    }
  }
}
