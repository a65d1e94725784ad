package io.sluice.plugins.cache;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 upstream whose answers a test scripts per path, counting the requests that reach
 * it and keeping their headers.
 */
final class ScriptedUpstream implements AutoCloseable {

  /** An answer: status, header fields (name, value, name, value...), body. */
  record Reply(int status, List<String> headers, byte[] body) {
    static Reply of(int status, String body, String... headers) {
      return new Reply(status, List.of(headers), body.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Computes the answer for one request; {@code n} counts the requests to the path, from 1. */
  @FunctionalInterface
  interface Script {
    Reply answer(HttpExchange request, int n) throws Exception;
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final List<Headers> received = new CopyOnWriteArrayList<>();

  ScriptedUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Answers requests to {@code path} (without query) with {@code script}. */
  ScriptedUpstream on(String path, Script script) {
    scripts.put(path, script);
    return this;
  }

  /** How many requests for {@code path} (without query) arrived. */
  int count(String path) {
    AtomicInteger count = counts.get(path);
    return count == null ? 0 : count.get();
  }

  /** The headers of the last request that arrived. */
  Headers lastRequest() {
    return received.get(received.size() - 1);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      int n = counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      received.add(exchange.getRequestHeaders());
      exchange.getRequestBody().readAllBytes();
      Script script = scripts.get(path);
      Reply reply;
      try {
        reply = script == null ? Reply.of(404, "no script") : script.answer(exchange, n);
      } catch (Exception e) {
        reply = Reply.of(500, e.toString());
      }
      for (int i = 0; i + 1 < reply.headers().size(); i += 2) {
        exchange.getResponseHeaders().add(reply.headers().get(i), reply.headers().get(i + 1));
      }
      boolean noBody = reply.status() == 304 || reply.status() == 204 || exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(reply.status(), noBody ? -1 : reply.body().length == 0 ? -1 : reply.body().length);
      if (!noBody && reply.body().length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(reply.body());
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
