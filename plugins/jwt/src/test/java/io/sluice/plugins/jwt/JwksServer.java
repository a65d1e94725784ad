package io.sluice.plugins.jwt;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real JWKS endpoint on 127.0.0.1: its key set can be rotated and it can be taken down. It can
 * also misbehave: answer a body without end, a huge one, one that trickles, or a redirect.
 */
final class JwksServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private volatile String jwks;
  private volatile boolean down;
  private volatile boolean closed;
  private final AtomicInteger hits = new AtomicInteger();
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicInteger bodiesCutOff = new AtomicInteger();

  JwksServer(String jwks) throws IOException {
    this.jwks = jwks;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(handlers); // a body that never ends must not hold up the other paths
    server.createContext("/jwks.json", this::serve);
    server.start();
  }

  /** Serves another document at {@code path} (an attacker's key set, say). */
  JwksServer also(String path, String document) {
    server.createContext(path, exchange -> {
      hits.incrementAndGet();
      respond(exchange, 200, document);
    });
    return this;
  }

  /** At {@code path}: a 200 whose chunked body starts like a JWK set and never ends. */
  JwksServer endless(String path) {
    server.createContext(path, exchange -> {
      hits.incrementAndGet();
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, 0);
      stream(exchange, Long.MAX_VALUE, 0);
    });
    return this;
  }

  /** At {@code path}: a 200 that announces {@code length} bytes and sends them, as fast as they are read. */
  JwksServer huge(String path, long length) {
    server.createContext(path, exchange -> {
      hits.incrementAndGet();
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, length);
      stream(exchange, length, 0);
    });
    return this;
  }

  /** At {@code path}: a 200 whose chunked body comes one byte every {@code pauseMillis}, without end. */
  JwksServer trickle(String path, long pauseMillis) {
    server.createContext(path, exchange -> {
      hits.incrementAndGet();
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, 0);
      stream(exchange, Long.MAX_VALUE, pauseMillis);
    });
    return this;
  }

  /** At {@code path}: a {@code 302} to {@code location}. */
  JwksServer redirect(String path, String location) {
    server.createContext(path, exchange -> {
      hits.incrementAndGet();
      exchange.getResponseHeaders().set("Location", location);
      exchange.sendResponseHeaders(302, -1);
      exchange.close();
    });
    return this;
  }

  String uri() {
    return uri("/jwks.json");
  }

  String uri(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  int port() {
    return server.getAddress().getPort();
  }

  void rotate(String newJwks) {
    this.jwks = newJwks;
  }

  /** While down, every fetch gets a 500. */
  void down(boolean isDown) {
    this.down = isDown;
  }

  /** Requests served so far, on every path. */
  int hits() {
    return hits.get();
  }

  /** Body bytes written by {@link #endless}, {@link #huge} and {@link #trickle} so far. */
  long bytesSent() {
    return bytesSent.get();
  }

  /** How many of those bodies the client stopped reading: the connection was closed under them. */
  int bodiesCutOff() {
    return bodiesCutOff.get();
  }

  private void serve(HttpExchange exchange) throws IOException {
    hits.incrementAndGet();
    if (down) {
      respond(exchange, 500, "{\"error\":\"down\"}");
    } else {
      respond(exchange, 200, jwks);
    }
  }

  /** Writes {@code length} bytes, a JWK set's opening and then blanks, until the client goes away. */
  private void stream(HttpExchange exchange, long length, long pauseMillis) {
    byte[] opening = "{\"keys\":[".getBytes(StandardCharsets.US_ASCII);
    byte[] blanks = new byte[pauseMillis > 0 ? 1 : 16 * 1024];
    Arrays.fill(blanks, (byte) ' ');
    try (OutputStream body = exchange.getResponseBody()) {
      body.write(opening);
      body.flush();
      bytesSent.addAndGet(opening.length);
      long left = length - opening.length;
      while (left > 0 && !closed) {
        int n = (int) Math.min(blanks.length, left);
        body.write(blanks, 0, n);
        body.flush();
        bytesSent.addAndGet(n);
        left -= n;
        if (pauseMillis > 0) {
          TimeUnit.MILLISECONDS.sleep(pauseMillis); // the server's pace, not a test's wait
        }
      }
    } catch (IOException e) {
      bodiesCutOff.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Override
  public void close() {
    closed = true;
    server.stop(0);
    handlers.shutdownNow();
  }
}
