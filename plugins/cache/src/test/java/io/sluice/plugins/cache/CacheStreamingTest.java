package io.sluice.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.plugins.cache.PausingUpstream.Script;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Coalesced requests are served from the first one's response while it streams in: an upstream
 * sends the head and a first part, then waits for the test, and the waiting clients must have the
 * head and that part before it sends the rest; over HTTP/1.1 and HTTP/2, with one upstream
 * request. An upstream that fails mid-body cuts them; a waiter that leaves mid-stream leaks
 * nothing; a body larger than {@code max_object_bytes} is not streamed to waiters.
 */
@ExtendWith(NoLeaksExtension.class)
class CacheStreamingTest {

  static final int FIRST = 1000;
  static final int REST = 3000;
  static final String CACHEABLE = "Cache-Control: max-age=60\r\nContent-Type: text/plain\r\n";

  PausingUpstream upstream;
  Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    upstream = new PausingUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0, protocols: [http1, h2c] } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: cached
            match: { path: /p/** }
            upstream: backend
            plugins: [ { cache: { max_bytes: 1MiB, max_object_bytes: 8KiB } } ]
          - id: small-objects
            match: { path: /small/** }
            upstream: backend
            plugins: [ { cache: { max_bytes: 1MiB, max_object_bytes: 2KiB } } ]
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterEach
  void stop() throws IOException {
    gateway.close();
    upstream.close();
  }

  @Test
  void http1WaitersGetTheHeadAndTheFirstPartBeforeTheUpstreamSendsTheRest() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    upstream.on("/p/slow", Script.sized(CACHEABLE, FIRST, REST, release, false));
    List<Client> clients = withFirstPart(5, "/p/slow", false);
    assertThat(release.getCount()).as("the rest is still held back by the upstream").isEqualTo(1);
    assertThat(upstream.count("/p/slow")).isEqualTo(1);
    long collapsed = clients.stream().filter(c -> c.head.contains("cache-status: sluice; hit; collapsed")).count();
    assertThat(collapsed).as("all but the first are served from its response").isEqualTo(4);
    for (Client client : clients) {
      assertThat(client.head).startsWith("http/1.1 200").contains("content-length: " + (FIRST + REST));
      if (client.head.contains("collapsed")) {
        assertThat(client.head).as("a hit's head").contains("\r\nage: ").doesNotContain("set-cookie");
      }
    }
    release.countDown();
    for (Client client : clients) {
      client.readBody(REST);
      assertThat(client.body.toString(StandardCharsets.ISO_8859_1))
          .isEqualTo("a".repeat(FIRST) + "b".repeat(REST));
      client.close();
    }
    assertThat(upstream.count("/p/slow")).isEqualTo(1);
    try (Client after = Client.get(gateway.port(), "/p/slow")) {
      after.readHead();
      assertThat(after.head).as("stored once whole").contains("cache-status: sluice; hit; ttl=");
    }
  }

  @Test
  void http2WaitersGetTheHeadAndTheFirstPartBeforeTheUpstreamSendsTheRest() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    upstream.on("/p/h2", Script.chunked(CACHEABLE, FIRST, REST, release, false));
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      List<H2Client.Stream> streams = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        streams.add(h2.open("GET", "/p/h2", Map.of(), true));
      }
      for (H2Client.Stream stream : streams) {
        stream.head().get(10, TimeUnit.SECONDS);
        Poll.until("the first part arrived", () -> stream.received() == FIRST);
      }
      assertThat(release.getCount()).isEqualTo(1);
      assertThat(upstream.count("/p/h2")).isEqualTo(1);
      release.countDown();
      int collapsed = 0;
      for (H2Client.Stream stream : streams) {
        H2Client.Response response = stream.response().get(10, TimeUnit.SECONDS);
        assertThat(response.bodyText()).isEqualTo("a".repeat(FIRST) + "b".repeat(REST));
        if (response.headers().get("cache-status").toString().contains("hit; collapsed")) {
          collapsed++;
        }
      }
      assertThat(collapsed).isEqualTo(4);
    }
    assertThat(upstream.count("/p/h2")).isEqualTo(1);
  }

  @Test
  void whenTheUpstreamFailsMidBodyTheStreamingWaitersSeeAnIncompleteResponse() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    upstream.on("/p/cut", Script.sized(CACHEABLE, FIRST, REST, release, true));
    List<Client> clients = withFirstPart(3, "/p/cut", false);
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Stream stream = h2.open("GET", "/p/cut", Map.of(), true);
      Poll.until("the first part arrived over HTTP/2", () -> stream.received() == FIRST);
      release.countDown();
      for (Client client : clients) {
        assertThat(client.readToClose()).as("the connection closes before the announced length").isLessThan(REST);
        client.close();
      }
      assertThatThrownBy(() -> stream.response().get(10, TimeUnit.SECONDS)).hasMessageContaining("stream reset");
    }
    assertThat(upstream.count("/p/cut")).isEqualTo(1);
  }

  @Test
  void aWaiterThatLeavesMidStreamLeaksNothingAndTheOthersGetTheWholeResponse() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    upstream.on("/p/leave", Script.chunked(CACHEABLE, FIRST, REST, release, false));
    List<Client> clients = withFirstPart(3, "/p/leave", true);
    Client leaving = clients.stream().filter(c -> c.head.contains("collapsed")).findFirst().orElseThrow();
    leaving.close();
    clients.remove(leaving);
    release.countDown();
    for (Client client : clients) {
      client.readChunkedBody(REST);
      assertThat(client.body.toString(StandardCharsets.ISO_8859_1)).isEqualTo("a".repeat(FIRST) + "b".repeat(REST));
      client.close();
    }
    assertThat(upstream.count("/p/leave")).isEqualTo(1);
  }

  @Test
  void aBodyWithoutLengthThatOutgrowsMaxObjectBytesCutsTheWaitersStreamingIt() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    upstream.on("/small/big", Script.chunked(CACHEABLE, FIRST, REST, release, false)); // 4000 bytes, max_object_bytes 2KiB
    List<Client> clients = withFirstPart(3, "/small/big", true);
    release.countDown();
    int whole = 0;
    for (Client client : clients) {
      if (client.head.contains("collapsed")) {
        client.readToClose();
        assertThat(client.body.toString(StandardCharsets.ISO_8859_1)).doesNotEndWith("0\r\n\r\n");
      } else {
        client.readChunkedBody(REST);
        whole++;
      }
      client.close();
    }
    assertThat(whole).as("the request that went upstream gets it whole").isEqualTo(1);
    assertThat(upstream.count("/small/big")).isEqualTo(1);
  }

  @Test
  void aBodyAnnouncedLargerThanMaxObjectBytesIsNotStreamedAndTheWaitersGoUpstreamThemselves() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    upstream.on("/small/large", Script.sized(CACHEABLE, FIRST, REST, release, false)); // Content-Length 4000 > 2KiB
    List<Client> clients = ask(3, "/small/large");
    Poll.until("the first reached the upstream", () -> upstream.count("/small/large") == 1);
    release.countDown();
    for (Client client : clients) {
      client.readHead();
      client.readBody(FIRST + REST);
      assertThat(client.head).doesNotContain("hit; collapsed");
      client.close();
    }
    assertThat(upstream.count("/small/large")).isEqualTo(3);
  }

  /** {@code n} HTTP/1.1 clients asking for {@code path} at once. */
  List<Client> ask(int n, String path) throws IOException {
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clients.add(Client.get(gateway.port(), path));
    }
    return clients;
  }

  /** {@link #ask}, then waits until each client has the head and the first part of the body (sized, or chunked). */
  List<Client> withFirstPart(int n, String path, boolean chunked) throws IOException {
    List<Client> clients = ask(n, path);
    for (Client client : clients) {
      client.readHead();
      if (chunked) {
        client.readChunkedBody(FIRST);
      } else {
        client.readBody(FIRST);
      }
    }
    return clients;
  }

  /** An HTTP/1.1 client on a raw socket that reads a response bit by bit. */
  static final class Client implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    String head;

    private Client(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
    }

    static Client get(int port, String path) throws IOException {
      Socket socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      return new Client(socket);
    }

    void readHead() throws IOException {
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      while (!read.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new AssertionError("closed in the head: " + read.toString(StandardCharsets.ISO_8859_1));
        }
        read.write(b);
      }
      head = read.toString(StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
    }

    /** Reads {@code n} bytes of a sized body. */
    void readBody(int n) throws IOException {
      body.write(in.readNBytes(n));
      if (body.size() < n) {
        throw new AssertionError("closed after " + body.size() + " body bytes");
      }
    }

    /** Reads chunks until {@code n} more body bytes arrived, keeping only the data. */
    void readChunkedBody(int n) throws IOException {
      int target = body.size() + n;
      while (body.size() < target) {
        String size = readLine();
        int length = Integer.parseInt(size.strip(), 16);
        if (length == 0) {
          throw new AssertionError("the body ended at " + body.size() + " bytes");
        }
        body.write(in.readNBytes(length));
        readLine();
      }
    }

    private String readLine() throws IOException {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        line.append((char) b);
      }
      if (b < 0) {
        throw new AssertionError("closed mid-line");
      }
      return line.toString();
    }

    /** Reads until the gateway closes the connection; returns how many bytes that was. */
    int readToClose() throws IOException {
      int before = body.size();
      try {
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          body.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the connection stayed open after " + (body.size() - before) + " more bytes");
      } catch (IOException e) {
        // reset: closed too
      }
      return body.size() - before;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
