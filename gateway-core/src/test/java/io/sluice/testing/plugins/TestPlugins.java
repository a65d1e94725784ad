package io.sluice.testing.plugins;

import io.sluice.spi.AttributeKey;
import io.sluice.spi.Decision;
import io.sluice.spi.DirectResponse;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.Exchange;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Outcome;
import io.sluice.spi.Phase;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;
import io.sluice.spi.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Small plugins that exercise the plugin runtime in tests. Each appends its name to the
 * request header {@code x-chain}, so a test can read the running order at the upstream.
 */
public final class TestPlugins {

  private TestPlugins() {}

  /** What {@code test_observe} saw complete, in order. */
  public static final ConcurrentLinkedQueue<String> COMPLETED = new ConcurrentLinkedQueue<>();

  static final AttributeKey<String> TENANT = AttributeKey.of("tenant", String.class);

  static void mark(Exchange exchange, String name) {
    String chain = exchange.requestHeaders().get("x-chain");
    exchange.requestHeaders().set("x-chain", chain == null ? name : chain + "," + name);
  }

  /** EDGE: puts a tenant attribute from {@code x-tenant}; answers {@code respond_status} when set. */
  public static final class Edge implements PluginFactory<Edge.Config> {
    public record Config(Integer respondStatus) {}

    public String name() { return "test_edge"; }
    public Class<Config> configType() { return Config.class; }
    public Phase phase() { return Phase.EDGE; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          mark(exchange, "edge");
          exchange.attributes().put(TENANT, exchange.requestHeaders().get("x-tenant"));
          if (config.respondStatus() != null) {
            return Decision.respond(DirectResponse.of(config.respondStatus()).withHeader("x-answered-by", "test_edge")
                .withBody("from edge"));
          }
          return Decision.proceed();
        }
      };
    }
  }

  /** AUTHORIZATION: refuses requests that carry {@code header} with 403. */
  public static final class Deny implements PluginFactory<Deny.Config> {
    public record Config(String header) {
      public Config {
        if (header == null) {
          header = "x-deny";
        }
      }
    }

    public String name() { return "test_deny"; }
    public Class<Config> configType() { return Config.class; }
    public Phase phase() { return Phase.AUTHORIZATION; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          mark(exchange, "deny");
          return exchange.requestHeaders().contains(config.header())
              ? Decision.reply(GatewayError.of(ErrorCode.FORBIDDEN, "Denied by test_deny")
                  .withDetails("test_deny.header_present"))
              : Decision.proceed();
        }
      };
    }
  }

  /** TRANSFORM: sets request and response headers; copies the tenant attribute upstream. */
  public static final class Header implements PluginFactory<Header.Config> {
    public record Config(Map<String, String> request, Map<String, String> response) {}

    public String name() { return "test_header"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          mark(exchange, "header");
          config.request().forEach(exchange.requestHeaders()::set);
          String tenant = exchange.attributes().get(TENANT);
          if (tenant != null) {
            exchange.requestHeaders().set("x-tenant-seen", tenant);
          }
          return Decision.proceed();
        }

        @Override
        public void onResponse(Exchange exchange, Response response) {
          config.response().forEach(response.headers()::set);
          response.headers().set("x-response-from-gateway", String.valueOf(response.isFromGateway()));
        }
      };
    }
  }

  /**
   * AUTHENTICATION: forwards the subject of the client's TLS certificate upstream as
   * {@code x-client-subject} ({@code none} without one).
   */
  public static final class ClientCert implements PluginFactory<ClientCert.Config> {
    public record Config(String header) {
      public Config {
        if (header == null) {
          header = "x-client-subject";
        }
      }
    }

    public String name() { return "test_client_cert"; }
    public Class<Config> configType() { return Config.class; }
    public Phase phase() { return Phase.AUTHENTICATION; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          exchange.requestHeaders().set(config.header(), exchange.clientCertificate()
              .map(cert -> cert.getSubjectX500Principal().getName())
              .orElse("none"));
          return Decision.proceed();
        }
      };
    }
  }

  /** Stages of {@code test_async} that completed (in time or not). */
  public static final java.util.concurrent.atomic.AtomicInteger ASYNC_STAGES_COMPLETED = new java.util.concurrent.atomic.AtomicInteger();

  /** TRAFFIC: decides after {@code delay} on another thread; refuses when {@code deny}. */
  public static final class Async implements PluginFactory<Async.Config> {
    public record Config(Duration delay, boolean deny) {
      public Config {
        if (delay == null) {
          delay = Duration.ofMillis(50);
        }
      }
    }

    public String name() { return "test_async"; }
    public Class<Config> configType() { return Config.class; }
    public Phase phase() { return Phase.TRAFFIC; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          mark(exchange, "async");
          Decision decision = config.deny()
              ? Decision.reply(GatewayError.of(ErrorCode.RATE_LIMIT_EXCEEDED, "Slow down").withHeader("Retry-After", "1"))
              : Decision.proceed();
          return Decision.await(CompletableFuture.supplyAsync(() -> {
            ASYNC_STAGES_COMPLETED.incrementAndGet();
            return decision;
          }, CompletableFuture.delayedExecutor(config.delay().toMillis(), TimeUnit.MILLISECONDS)));
        }
      };
    }
  }

  /** Calls of {@code test_blocking} interrupted in their sleep, and changes it tried after the gateway took the exchange back. */
  public static final java.util.concurrent.atomic.AtomicInteger BLOCKING_INTERRUPTED = new java.util.concurrent.atomic.AtomicInteger();
  public static final java.util.concurrent.atomic.AtomicInteger LATE_CHANGES_REFUSED = new java.util.concurrent.atomic.AtomicInteger();

  /** A plugin that may block: runs on a virtual thread. */
  public static final class Blocking implements PluginFactory<Blocking.Config> {
    public record Config(Duration sleep) {}

    public String name() { return "test_blocking"; }
    public Class<Config> configType() { return Config.class; }
    public boolean blocking() { return true; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          mark(exchange, "blocking");
          try {
            // the blocking call this plugin stands for (JDBC, say): the point is that it takes time off the event loop
            Thread.sleep(config.sleep() == null ? 20 : config.sleep().toMillis());
          } catch (InterruptedException e) {
            BLOCKING_INTERRUPTED.incrementAndGet();
            Thread.currentThread().interrupt();
          }
          try {
            exchange.requestHeaders().set("x-virtual-thread", String.valueOf(Thread.currentThread().isVirtual()));
          } catch (IllegalStateException e) {
            LATE_CHANGES_REFUSED.incrementAndGet(); // the gateway took the exchange back (timed out)
            throw e;
          }
          return Decision.proceed();
        }
      };
    }
  }

  /** Fails where told: {@code request}, {@code response}, {@code stage} (a failed await) or {@code create}. */
  public static final class Fail implements PluginFactory<Fail.Config> {
    public enum Where { REQUEST, RESPONSE, STAGE, CREATE }

    public record Config(Where where) {
      public Config {
        if (where == null) {
          throw new IllegalArgumentException("where: missing (expected: request, response, stage or create)");
        }
      }
    }

    public String name() { return "test_fail"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      if (config.where() == Where.CREATE) {
        throw new IllegalStateException("cannot start: the backing service is unreachable");
      }
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          return switch (config.where()) {
            case REQUEST -> throw new IllegalStateException("boom in onRequest");
            case STAGE -> Decision.await(CompletableFuture.failedFuture(new IllegalStateException("boom in stage")));
            default -> Decision.proceed();
          };
        }

        @Override
        public void onResponse(Exchange exchange, Response response) {
          if (config.where() == Where.RESPONSE) {
            throw new IllegalStateException("boom in onResponse");
          }
        }
      };
    }
  }

  /** Bytes seen by {@code test_body} in streamed mode, request and response, and how many "last" calls. */
  public static final java.util.concurrent.atomic.AtomicLong STREAMED_REQUEST_BYTES = new java.util.concurrent.atomic.AtomicLong();
  public static final java.util.concurrent.atomic.AtomicLong STREAMED_RESPONSE_BYTES = new java.util.concurrent.atomic.AtomicLong();
  public static final java.util.concurrent.atomic.AtomicInteger LAST_CHUNKS = new java.util.concurrent.atomic.AtomicInteger();

  /**
   * Looks at bodies: {@code buffered} refuses a request body containing {@code refuse_if_contains};
   * {@code streamed} counts request and response bytes.
   */
  public static final class Body implements PluginFactory<Body.Config> {
    public enum Mode { BUFFERED, STREAMED }

    public record Config(Mode mode, long maxBytes, String refuseIfContains) {
      public Config {
        if (mode == null) {
          mode = Mode.STREAMED;
        }
        if (maxBytes == 0) {
          maxBytes = 1024;
        }
      }
    }

    public String name() { return "test_body"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public io.sluice.spi.BodyAccess requestBody() {
          return config.mode() == Mode.BUFFERED
              ? io.sluice.spi.BodyAccess.buffered(config.maxBytes())
              : io.sluice.spi.BodyAccess.streamed();
        }

        @Override
        public io.sluice.spi.BodyAccess responseBody() {
          return config.mode() == Mode.STREAMED ? io.sluice.spi.BodyAccess.streamed() : io.sluice.spi.BodyAccess.NONE;
        }

        @Override
        public Decision onRequestBody(Exchange exchange, java.nio.ByteBuffer body) {
          byte[] bytes = new byte[body.remaining()];
          body.get(bytes);
          String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
          return config.refuseIfContains() != null && text.contains(config.refuseIfContains())
              ? Decision.reply(GatewayError.of(ErrorCode.BAD_REQUEST, "Body refused by test_body"))
              : Decision.proceed();
        }

        @Override
        public void onRequestBodyChunk(Exchange exchange, java.nio.ByteBuffer chunk, boolean last) {
          STREAMED_REQUEST_BYTES.addAndGet(chunk.remaining());
          if (last) {
            LAST_CHUNKS.incrementAndGet();
          }
        }

        @Override
        public void onResponseBodyChunk(Exchange exchange, java.nio.ByteBuffer chunk, boolean last) {
          STREAMED_RESPONSE_BYTES.addAndGet(chunk.remaining());
          if (last) {
            LAST_CHUNKS.incrementAndGet();
          }
        }
      };
    }
  }

  /** OBSERVE: records every completion as {@code route status code}. */
  public static final class Observe implements PluginFactory<Observe.Config> {
    public record Config(List<String> tags) {}

    public String name() { return "test_observe"; }
    public Class<Config> configType() { return Config.class; }
    public Phase phase() { return Phase.OBSERVE; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public void onComplete(Exchange exchange, Outcome outcome) {
          COMPLETED.add(outcome.routeId() + " " + outcome.status() + " "
              + (outcome.error() == null ? "-" : outcome.error().code()) + (outcome.aborted().isEmpty() ? "" : " " + outcome.aborted()));
        }
      };
    }
  }

  /**
   * TRANSFORM: answers with something that cannot be sent ({@code kind}), made in {@code onRequest}
   * or, with {@code after_await}, in an awaited stage that completes on another thread.
   */
  public static final class Answer implements PluginFactory<Answer.Config> {
    public enum Kind { HEADER_VALUE, HEADER_NAME, FRAMING_HEADER, ERROR_HEADER, ERROR_STATUS }

    public record Config(Kind kind, boolean afterAwait) {
      public Config {
        if (kind == null) {
          throw new IllegalArgumentException("kind: missing");
        }
      }
    }

    public String name() { return "test_answer"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          if (config.afterAwait()) {
            return Decision.await(CompletableFuture.supplyAsync(() -> answer(config.kind()),
                CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS)));
          }
          return answer(config.kind());
        }
      };
    }

    static Decision answer(Kind kind) {
      return switch (kind) {
        case HEADER_VALUE -> Decision.respond(DirectResponse.of(200).withHeader("x-note", "first\r\nSet-Cookie: injected=1"));
        case HEADER_NAME -> Decision.respond(DirectResponse.of(200).withHeader("x note", "spaced"));
        case FRAMING_HEADER -> Decision.respond(DirectResponse.of(200).withHeader("Transfer-Encoding", "chunked").withBody("hi"));
        case ERROR_HEADER -> Decision.reply(GatewayError.of(ErrorCode.FORBIDDEN, "No").withHeader("x-reason", "a\nb"));
        case ERROR_STATUS -> Decision.reply(GatewayError.of(ErrorCode.FORBIDDEN, "No").withStatus(1000));
      };
    }
  }

  /**
   * TRANSFORM: replaces every response with status {@code status} (from the upstream or the
   * gateway) by a 200 whose body is {@code body}, as bytes, and adds {@code x-seen-status}.
   */
  public static final class Replace implements PluginFactory<Replace.Config> {
    public record Config(int status, String body) {}

    public String name() { return "test_replace"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(config.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return new Plugin() {
        @Override
        public void onResponse(Exchange exchange, Response response) {
          if (response.status() == config.status()) {
            response.replaceWith(DirectResponse.of(200).withHeader("x-seen-status", String.valueOf(response.status()))
                .withHeader("content-type", "text/plain").withBytes(bytes));
          }
        }
      };
    }
  }

  /** What the {@code test_forward} plugin saw, in order: {@code response <status> <fromGateway>}, {@code complete <status>}. */
  public static final ConcurrentLinkedQueue<String> FORWARD_SEEN = new ConcurrentLinkedQueue<>();

  /** TRANSFORM: answers {@code early} at once and still forwards the request in the background. */
  public static final class Forward implements PluginFactory<Forward.Config> {
    public record Config(String early) {}

    public String name() { return "test_forward"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          exchange.requestHeaders().set("x-background", "yes");
          return Decision.respondAndForward(DirectResponse.of(200).withBody(config.early()));
        }

        @Override
        public void onResponse(Exchange exchange, Response response) {
          FORWARD_SEEN.add("response " + response.status() + " " + response.isFromGateway());
        }

        @Override
        public void onComplete(Exchange exchange, Outcome outcome) {
          FORWARD_SEEN.add("complete " + outcome.status());
        }
      };
    }
  }

  /** Values the {@code test_foreign} plugin could not set, by the exception it got. */
  public static final ConcurrentLinkedQueue<String> FOREIGN_REFUSALS = new ConcurrentLinkedQueue<>();

  /**
   * TRANSFORM: changes the exchange from the thread that completes an awaited stage, which the
   * gateway must refuse: a request header ({@code header}) or an attribute ({@code attribute}).
   */
  public static final class Foreign implements PluginFactory<Foreign.Config> {
    public enum Change { HEADER, ATTRIBUTE }

    public record Config(Change change) {
      public Config {
        if (change == null) {
          change = Change.HEADER;
        }
      }
    }

    public String name() { return "test_foreign"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          return Decision.await(CompletableFuture.supplyAsync(() -> {
            try {
              if (config.change() == Change.HEADER) {
                exchange.requestHeaders().set("x-foreign", Thread.currentThread().getName());
              } else {
                exchange.attributes().put(TENANT, "foreign");
                exchange.requestHeaders().get("x-chain"); // reading is harmless
              }
            } catch (IllegalStateException e) {
              FOREIGN_REFUSALS.add(e.getMessage());
              throw e;
            }
            return Decision.proceed();
          }, CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS)));
        }
      };
    }
  }

  /** TRANSFORM: copies the values of the query parameters {@code names} to {@code x-query-<name>} headers, joined with '|'. */
  public static final class Query implements PluginFactory<Query.Config> {
    public record Config(List<String> names) {}

    public String name() { return "test_query"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          for (String name : config.names()) {
            List<String> values = exchange.queryParameter(name);
            exchange.requestHeaders().set("x-query-" + name, values.isEmpty() ? "(absent)"
                : String.join("|", values.stream().map(v -> v.isEmpty() ? "(empty)" : escape(v)).toList()));
          }
          return Decision.proceed();
        }
      };
    }

    /** Non-ASCII as \\uXXXX, so that the header carries it unchanged. */
    static String escape(String value) {
      StringBuilder out = new StringBuilder();
      value.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\u%04x", c)));
      return out.toString();
    }
  }

  /** Resume steps of {@code test_resume} that ran, and stages of it that completed. */
  public static final java.util.concurrent.atomic.AtomicInteger RESUMED = new java.util.concurrent.atomic.AtomicInteger();
  public static final java.util.concurrent.atomic.AtomicInteger RESUME_STAGES_COMPLETED = new java.util.concurrent.atomic.AtomicInteger();

  /**
   * TRAFFIC: waits {@code delay} on another thread, then, in the resume step, writes which threads
   * ran the stage and the step to {@code x-stage-thread} and {@code x-resume-thread} and puts the
   * tenant attribute; with {@code twice}, awaits a second stage from the first resume step.
   */
  public static final class Resume implements PluginFactory<Resume.Config> {
    public record Config(Duration delay, boolean twice) {
      public Config {
        if (delay == null) {
          delay = Duration.ofMillis(10);
        }
      }
    }

    public String name() { return "test_resume"; }
    public Class<Config> configType() { return Config.class; }
    public Phase phase() { return Phase.TRAFFIC; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          return Decision.await(stage(config.delay()), (resumed, stageThread) -> {
            if (!config.twice()) {
              return decide(resumed, stageThread);
            }
            return Decision.await(stage(config.delay()), (again, secondThread) -> decide(again, stageThread + "," + secondThread));
          });
        }

        private Decision decide(Exchange exchange, String stageThreads) {
          RESUMED.incrementAndGet();
          exchange.requestHeaders().set("x-stage-thread", stageThreads);
          exchange.requestHeaders().set("x-resume-thread", Thread.currentThread().getName());
          exchange.attributes().put(TENANT, "resumed");
          return Decision.proceed();
        }
      };
    }

    static CompletableFuture<String> stage(Duration delay) {
      return CompletableFuture.supplyAsync(() -> {
        RESUME_STAGES_COMPLETED.incrementAndGet();
        return Thread.currentThread().getName();
      }, CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
    }
  }

  /** Calls {@code test_hold} holds right now; each waits for a permit of {@link #RELEASE_HELD}. */
  public static final java.util.concurrent.atomic.AtomicInteger HELD = new java.util.concurrent.atomic.AtomicInteger();
  public static final java.util.concurrent.Semaphore RELEASE_HELD = new java.util.concurrent.Semaphore(0);

  /** A blocking plugin that holds its call until the test releases it (or it is interrupted). */
  public static final class Hold implements PluginFactory<Hold.Config> {
    public record Config() {}

    public String name() { return "test_hold"; }
    public Class<Config> configType() { return Config.class; }
    public boolean blocking() { return true; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          HELD.incrementAndGet();
          try {
            RELEASE_HELD.acquire();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            HELD.decrementAndGet();
          }
          return Decision.proceed();
        }
      };
    }
  }

  /** TRANSFORM: tells the upstream what plugins see: the path in {@code x-plugin-path}, the path parameter {@code id} in {@code x-plugin-id}. */
  public static final class PathSeen implements PluginFactory<PathSeen.Config> {
    public record Config(String header) {
      public Config {
        if (header == null) {
          header = "x-plugin-path";
        }
      }
    }

    public String name() { return "test_path"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          exchange.requestHeaders().set(config.header(), exchange.path());
          String id = exchange.pathParameter("id");
          if (id != null) {
            exchange.requestHeaders().set("x-plugin-id", id);
          }
          return Decision.proceed();
        }
      };
    }
  }

  /**
   * AUTHENTICATION: sets {@code header} to {@code value} on every request and declares it an
   * identity header, as an authentication plugin that forwards who the caller is would.
   */
  public static final class IdentityHeader implements PluginFactory<IdentityHeader.Config> {
    public record Config(String header, String value) {}

    public String name() { return "test_identity"; }
    public Class<Config> configType() { return Config.class; }
    public Phase phase() { return Phase.AUTHENTICATION; }

    @Override
    public java.util.Set<String> identityHeaders(Config config) {
      return java.util.Set.of(config.header());
    }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          exchange.requestHeaders().set(config.header(), config.value());
          return Decision.proceed();
        }
      };
    }
  }

  /** Labels of the {@code test_counter} instances closed so far. */
  public static final ConcurrentLinkedQueue<String> CLOSED_COUNTERS = new ConcurrentLinkedQueue<>();

  /**
   * Counts the requests of its route and answers the count in {@code x-count} (and its label in
   * {@code x-counter-label}); takes the count of {@code previous()} over a reload, and notes its
   * label in {@link #CLOSED_COUNTERS} when closed.
   */
  public static final class Counter implements PluginFactory<Counter.Config> {
    public record Config(String label) {}

    public String name() { return "test_counter"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      java.util.concurrent.atomic.AtomicLong count = context.previous()
          .filter(Counting.class::isInstance).map(previous -> ((Counting) previous).count)
          .orElseGet(java.util.concurrent.atomic.AtomicLong::new);
      return new Counting(config.label(), count);
    }

    static final class Counting implements Plugin {
      final String label;
      final java.util.concurrent.atomic.AtomicLong count;

      Counting(String label, java.util.concurrent.atomic.AtomicLong count) {
        this.label = label;
        this.count = count;
      }

      @Override
      public Decision onRequest(Exchange exchange) {
        exchange.attributes().put(COUNT, count.incrementAndGet());
        return Decision.proceed();
      }

      @Override
      public void onResponse(Exchange exchange, Response response) {
        response.headers().set("x-count", String.valueOf(exchange.attributes().get(COUNT)));
        response.headers().set("x-counter-label", label);
      }

      @Override
      public void close() {
        CLOSED_COUNTERS.add(label);
      }
    }

    static final AttributeKey<Long> COUNT = AttributeKey.of("test_counter.count", Long.class);
  }

  /**
   * Tells the upstream where and when the exchange began, as {@code x-origin: LISTENER PROTOCOL AGE WHERE}, where AGE
   * is {@code started} when {@code startNanos()} is a moment of the last minute on the system ticker, and WHERE is
   * {@code loop} when a task given to {@code exchange.executor()} ran on the hook's thread after the hook returned.
   */
  public static final class Origin implements PluginFactory<Origin.Config> {
    public record Config() {}

    public String name() { return "test_origin"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public Decision onRequest(Exchange exchange) {
          long age = io.sluice.spi.Ticker.SYSTEM.nanoTime() - exchange.startNanos();
          boolean started = exchange.startNanos() != 0 && age >= 0 && age < Duration.ofMinutes(1).toNanos();
          String origin = exchange.listener() + " " + exchange.protocol() + " "
              + (started ? "started" : "unknown " + exchange.startNanos());
          Thread hook = Thread.currentThread();
          java.util.concurrent.atomic.AtomicBoolean returned = new java.util.concurrent.atomic.AtomicBoolean();
          java.util.concurrent.CompletableFuture<String> ran = new java.util.concurrent.CompletableFuture<>();
          exchange.executor().execute(() -> ran.complete(Thread.currentThread() == hook && returned.get()
              ? "loop" : "elsewhere " + Thread.currentThread().getName() + " after the hook returned: " + returned.get()));
          returned.set(true);
          return Decision.await(ran, (ex, where) -> {
            ex.requestHeaders().set("x-origin", origin + " " + where);
            return Decision.proceed();
          });
        }
      };
    }
  }
}
