package io.sluice.testing.plugins;

import io.sluice.spi.AttributeKey;
import io.sluice.spi.BodyAccess;
import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.Exchange;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;
import io.sluice.spi.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/** Test plugins for the body hooks that wait, change the status, or transform bodies as they stream. */
public final class BodyTestPlugins {

  private BodyTestPlugins() {}

  /** Verdicts {@code test_scan}'s stages completed with, in time or not. */
  public static final AtomicInteger SCANS_COMPLETED = new AtomicInteger();

  /**
   * Sends the whole request body to a scanning service ({@code url}) and waits for its verdict
   * without blocking: 200 lets the request through (with the verdict in {@code x-scan}), anything
   * else is refused with 403. The scanner reads the body from the gateway's buffer on the HTTP
   * client's own threads, after {@code onRequestBody} returned.
   */
  public static final class Scan implements PluginFactory<Scan.Config> {
    public record Config(String url, long maxBytes) {
      public Config {
        if (maxBytes == 0) {
          maxBytes = 8 * 1024 * 1024;
        }
      }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public String name() { return "test_scan"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      URI scanner = URI.create(config.url());
      return new Plugin() {
        @Override
        public BodyAccess requestBody() {
          return BodyAccess.buffered(config.maxBytes());
        }

        @Override
        public Decision onRequestBody(Exchange exchange, ByteBuffer body) {
          ByteBuffer bytes = body.duplicate();
          HttpRequest scan = HttpRequest.newBuilder(scanner).timeout(Duration.ofSeconds(10))
              .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteBufferInput(bytes.duplicate()))).build();
          return Decision.await(HTTP.sendAsync(scan, HttpResponse.BodyHandlers.ofString())
                  .whenComplete((r, e) -> SCANS_COMPLETED.incrementAndGet()),
              (ex, verdict) -> {
                if (verdict.statusCode() != 200) {
                  return Decision.reply(GatewayError.of(ErrorCode.FORBIDDEN, "Refused by the scanner: " + verdict.body()));
                }
                ex.requestHeaders().set("x-scan", verdict.body()); // refused off the event loop
                ex.requestHeaders().set("x-scan-thread", Thread.currentThread().getName());
                return Decision.proceed();
              });
        }
      };
    }
  }

  /** The verdicts {@code test_verdict} waits for, oldest first: the test completes them. */
  public static final java.util.concurrent.ConcurrentLinkedQueue<java.util.concurrent.CompletableFuture<Boolean>> VERDICTS =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** Judges the whole request body later: awaits a verdict the test completes ({@link #VERDICTS}); false refuses. */
  public static final class Verdict implements PluginFactory<Verdict.Config> {
    public record Config() {}

    public String name() { return "test_verdict"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public BodyAccess requestBody() {
          return BodyAccess.buffered(1024);
        }

        @Override
        public Decision onRequestBody(Exchange exchange, ByteBuffer body) {
          java.util.concurrent.CompletableFuture<Boolean> verdict = new java.util.concurrent.CompletableFuture<>();
          VERDICTS.add(verdict);
          return Decision.await(verdict, (ex, clean) -> clean
              ? Decision.proceed()
              : Decision.reply(GatewayError.of(ErrorCode.BAD_REQUEST, "Refused by test_verdict")));
        }
      };
    }
  }

  /** Reads a buffer as a stream, as a client library might, on its own thread. */
  static final class ByteBufferInput extends InputStream {
    private final ByteBuffer bytes;

    ByteBufferInput(ByteBuffer bytes) {
      this.bytes = bytes;
    }

    @Override
    public int read() {
      return bytes.hasRemaining() ? bytes.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] into, int offset, int length) {
      if (!bytes.hasRemaining()) {
        return -1;
      }
      int n = Math.min(length, bytes.remaining());
      bytes.get(into, offset, n);
      return n;
    }
  }

  /** Changes the response status {@code from} to {@code to} (any status when {@code from} is 0). */
  public static final class Status implements PluginFactory<Status.Config> {
    public record Config(int from, int to) {}

    public String name() { return "test_status"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public void onResponse(Exchange exchange, Response response) {
          if (config.from() == 0 || response.status() == config.from()) {
            response.headers().set("x-status-was", String.valueOf(response.status()));
            response.status(config.to());
          }
        }
      };
    }
  }

  /** What {@code test_transform} does to each byte. */
  public enum Op { NONE, UPPER, XOR }

  /** The mask of {@link Op#XOR}. */
  public static final int XOR_MASK = 0x5a;

  /**
   * Transforms request and/or response bodies byte by byte ({@code op}), appends {@code suffix} at
   * the end, holds everything back until the end when {@code hold_all}, throws once it saw more than
   * {@code fail_after} bytes (when set), transforms only requests that carry {@code only_if_header}
   * (when set), and gives a response it transforms the status {@code status} (when set).
   */
  public static final class Transform implements PluginFactory<Transform.Config> {
    public record Config(boolean request, boolean response, Op op, String suffix, boolean holdAll, long failAfter,
        String onlyIfHeader, int status) {
      public Config {
        if (op == null) {
          op = Op.NONE;
        }
      }
    }

    /** One body's progress. */
    static final class Progress {
      long seen;
      ByteArrayOutputStream held = new ByteArrayOutputStream();
    }

    public String name() { return "test_transform"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      AttributeKey<Progress> requestProgress = AttributeKey.of("test_transform.request", Progress.class);
      AttributeKey<Progress> responseProgress = AttributeKey.of("test_transform.response", Progress.class);
      return new Plugin() {
        @Override
        public BodyAccess requestBody() {
          return config.request() ? BodyAccess.transformed() : BodyAccess.NONE;
        }

        @Override
        public BodyAccess responseBody() {
          return config.response() ? BodyAccess.transformed() : BodyAccess.NONE;
        }

        @Override
        public boolean transformsRequestBody(Exchange exchange) {
          return wanted(exchange);
        }

        @Override
        public boolean transformsResponseBody(Exchange exchange, Response response) {
          if (!wanted(exchange)) {
            return false;
          }
          if (config.status() != 0) {
            response.status(config.status()); // e.g. 203: the body is no longer the upstream's
          }
          return true;
        }

        private boolean wanted(Exchange exchange) {
          return config.onlyIfHeader() == null || exchange.requestHeaders().contains(config.onlyIfHeader());
        }

        @Override
        public ByteBuffer transformRequestBody(Exchange exchange, ByteBuffer chunk, boolean last) {
          return transform(exchange, requestProgress, chunk, last);
        }

        @Override
        public ByteBuffer transformResponseBody(Exchange exchange, ByteBuffer chunk, boolean last) {
          return transform(exchange, responseProgress, chunk, last);
        }

        private ByteBuffer transform(Exchange exchange, AttributeKey<Progress> key, ByteBuffer chunk, boolean last) {
          Progress progress = exchange.attributes().get(key);
          if (progress == null) {
            progress = new Progress();
            exchange.attributes().put(key, progress);
          }
          progress.seen += chunk.remaining();
          if (config.failAfter() > 0 && progress.seen > config.failAfter()) {
            throw new IllegalStateException("test_transform fails after " + config.failAfter() + " bytes");
          }
          if (config.op() == Op.NONE && config.suffix() == null && !config.holdAll()) {
            return chunk; // forwarded as it is, without a copy
          }
          ByteBuffer out = ByteBuffer.allocate(chunk.remaining());
          while (chunk.hasRemaining()) {
            byte b = chunk.get();
            out.put(switch (config.op()) {
              case NONE -> b;
              case UPPER -> b >= 'a' && b <= 'z' ? (byte) (b - 32) : b;
              case XOR -> (byte) (b ^ XOR_MASK);
            });
          }
          out.flip();
          if (config.holdAll()) {
            progress.held.write(out.array(), 0, out.limit());
            out = last ? ByteBuffer.wrap(progress.held.toByteArray()) : ByteBuffer.allocate(0);
          }
          if (last && config.suffix() != null) {
            byte[] suffix = config.suffix().getBytes(StandardCharsets.UTF_8);
            out = ByteBuffer.allocate(out.remaining() + suffix.length).put(out).put(suffix).flip();
          }
          return out;
        }
      };
    }
  }

  /** Appends {@code suffix} to request and response bodies: each piece passes as it is, the suffix comes with the last call. */
  public static final class Append implements PluginFactory<Append.Config> {
    public record Config(String suffix) {}

    public String name() { return "test_append"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      byte[] suffix = config.suffix().getBytes(StandardCharsets.UTF_8);
      return new Plugin() {
        @Override
        public BodyAccess requestBody() {
          return BodyAccess.transformed();
        }

        @Override
        public BodyAccess responseBody() {
          return BodyAccess.transformed();
        }

        @Override
        public ByteBuffer transformRequestBody(Exchange exchange, ByteBuffer chunk, boolean last) {
          return last ? ByteBuffer.wrap(suffix) : chunk;
        }

        @Override
        public ByteBuffer transformResponseBody(Exchange exchange, ByteBuffer chunk, boolean last) {
          return last ? ByteBuffer.wrap(suffix) : chunk;
        }
      };
    }
  }

  /**
   * Compresses response bodies with gzip for clients that accept it, as they stream: each piece is
   * compressed and flushed at once (so a slow stream is not held back), the gzip trailer comes at the
   * end. Responses that are already encoded pass untouched.
   */
  public static final class Gzip implements PluginFactory<Gzip.Config> {
    public record Config() {}

    /** One response's compressor: what it wrote since the last piece goes out with the next. */
    static final class Compressor {
      final ByteArrayOutputStream out = new ByteArrayOutputStream();
      final GZIPOutputStream gzip;

      Compressor() {
        try {
          gzip = new GZIPOutputStream(out, 8192, true);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      ByteBuffer compress(ByteBuffer chunk, boolean last) throws IOException {
        byte[] bytes = new byte[chunk.remaining()];
        chunk.get(bytes);
        gzip.write(bytes);
        if (last) {
          gzip.finish();
        } else {
          gzip.flush(); // a sync flush: what came so far can be decompressed now
        }
        ByteBuffer compressed = ByteBuffer.wrap(out.toByteArray());
        out.reset();
        return compressed;
      }
    }

    private static final AttributeKey<Compressor> COMPRESSOR = AttributeKey.of("test_gzip", Compressor.class);

    public String name() { return "test_gzip"; }
    public Class<Config> configType() { return Config.class; }

    public Plugin create(Config config, PluginContext context) {
      return new Plugin() {
        @Override
        public BodyAccess responseBody() {
          return BodyAccess.transformed();
        }

        @Override
        public boolean transformsResponseBody(Exchange exchange, Response response) {
          String accepted = exchange.requestHeaders().get("accept-encoding");
          if (accepted == null || !accepted.contains("gzip") || response.headers().contains("content-encoding")) {
            return false;
          }
          response.headers().set("content-encoding", "gzip");
          response.headers().add("vary", "accept-encoding");
          exchange.attributes().put(COMPRESSOR, new Compressor());
          return true;
        }

        @Override
        public ByteBuffer transformResponseBody(Exchange exchange, ByteBuffer chunk, boolean last) {
          try {
            return exchange.attributes().get(COMPRESSOR).compress(chunk, last);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
    }
  }
}
