package io.sluice.plugins.cache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 upstream on a plain socket whose responses stop half-way until the test lets
 * them go on: per path, the head and a first part of the body go out at once, then the rest once
 * {@code release} is counted down, or the connection is cut there instead. Counts the requests.
 */
final class PausingUpstream implements AutoCloseable {

  /**
   * One path's answer: {@code head} (status line and fields, without the blank line), the body's
   * {@code first} part, then {@code rest} after {@code release}, or a cut connection when {@code cut}.
   */
  record Script(String head, byte[] first, CountDownLatch release, byte[] rest, boolean cut) {

    /** A body of {@code first} then {@code rest} bytes with a Content-Length. */
    static Script sized(String fields, int first, int rest, CountDownLatch release, boolean cut) {
      return new Script("HTTP/1.1 200 OK\r\n" + fields + "Content-Length: " + (first + rest) + "\r\n",
          filled('a', first), release, filled('b', rest), cut);
    }

    /** A chunked body of {@code first} then {@code rest} bytes, one chunk each. */
    static Script chunked(String fields, int first, int rest, CountDownLatch release, boolean cut) {
      return new Script("HTTP/1.1 200 OK\r\n" + fields + "Transfer-Encoding: chunked\r\n", chunk(filled('a', first)), release,
          concat(chunk(filled('b', rest)), "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)), cut);
    }
  }

  private final ServerSocket server;
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private volatile boolean closed;

  PausingUpstream() throws IOException {
    server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  PausingUpstream on(String path, Script script) {
    scripts.put(path, script);
    return this;
  }

  int count(String path) {
    AtomicInteger count = counts.get(path);
    return count == null ? 0 : count.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        Thread.ofVirtual().start(() -> serve(socket));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        String path = head.split(" ", 3)[1];
        counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        Script script = scripts.get(path);
        if (script == null) {
          out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          continue;
        }
        out.write((script.head() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(script.first());
        out.flush();
        if (!script.release().await(20, TimeUnit.SECONDS) || script.cut()) {
          socket.setSoLinger(true, 0); // a reset, in the middle of the body
          return;
        }
        out.write(script.rest());
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // the gateway closed the connection
    }
  }

  /** The request head, or {@code null} when the connection ended first. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
      if (matched == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  static byte[] filled(char c, int n) {
    return String.valueOf(c).repeat(n).getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] chunk(byte[] data) {
    return concat(concat((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1), data),
        "\r\n".getBytes(StandardCharsets.ISO_8859_1));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
  }
}
