package io.sluice.plugins.jwt;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** A real JWKS endpoint on 127.0.0.1: its key set can be rotated and it can be taken down. */
final class JwksServer implements AutoCloseable {

  private final HttpServer server;
  private volatile String jwks;
  private volatile boolean down;
  private final AtomicInteger hits = new AtomicInteger();

  JwksServer(String jwks) throws IOException {
    this.jwks = jwks;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
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

  String uri() {
    return uri("/jwks.json");
  }

  String uri(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
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

  private void serve(HttpExchange exchange) throws IOException {
    hits.incrementAndGet();
    if (down) {
      respond(exchange, 500, "{\"error\":\"down\"}");
    } else {
      respond(exchange, 200, jwks);
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
    server.stop(0);
  }
}
