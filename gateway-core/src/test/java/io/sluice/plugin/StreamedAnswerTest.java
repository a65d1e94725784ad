package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.Poll;
import io.sluice.testing.plugins.StreamTestPlugin;
import io.sluice.testing.plugins.StreamTestPlugin.Source;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A plugin's answer whose body arrives after its head ({@code StreamedBody}): each piece reaches the
 * client as the plugin sends it (from another thread), over HTTP/1.1 and HTTP/2; the gateway asks
 * for more only while the client reads; a failed body, or one that breaks its announced length,
 * is cut; a client that goes away cancels it; a {@code HEAD} request gets the head alone.
 */
@ExtendWith(NoLeaksExtension.class)
class StreamedAnswerTest {

  static final int MIB = 1024 * 1024;
  static Gateway gateway;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          access_log: { format: json }
        routes:
          - { id: unknown, match: { path: /s/unknown }, respond: { status: 404 }, plugins: [ { test_stream: {} } ] }
          - { id: cut, match: { path: /s/cut }, respond: { status: 404 }, plugins: [ { test_stream: {} } ] }
          - { id: sized, match: { path: /s/sized }, respond: { status: 404 }, plugins: [ { test_stream: { length: 11 } } ] }
          - { id: auto, match: { path: /s/auto }, respond: { status: 404 },
              plugins: [ { test_stream: { auto_bytes: 33554432, piece_bytes: 65536 } } ] }
        """, Map.of());
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @BeforeEach
  void forgetSources() {
    StreamTestPlugin.SOURCES.clear();
  }

  @Test
  void theHeadAndEachPieceReachAnHttp1ClientAsSoonAsTheyAreSentAndTheConnectionCarriesOn() throws Exception {
    try (Socket socket = gateway.raw().open()) {
      socket.getOutputStream().write("GET /s/unknown HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      Source source = StreamTestPlugin.next();
      String head = readUntil(socket.getInputStream(), "\r\n\r\n");
      assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked")
          .containsIgnoringCase("x-streamed: yes").doesNotContainIgnoringCase("content-length");
      source.awaitRequested(1);
      source.send("first piece");
      assertThat(readUntil(socket.getInputStream(), "first piece")).endsWith("first piece");
      source.awaitRequested(2);
      source.send("second piece");
      assertThat(readUntil(socket.getInputStream(), "second piece")).endsWith("second piece");
      source.end();
      readUntil(socket.getInputStream(), "\r\n0\r\n\r\n");

      socket.getOutputStream().write("GET /s/unknown HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      Source again = StreamTestPlugin.next();
      again.awaitRequested(1);
      again.send("again");
      again.end();
      assertThat(readUntil(socket.getInputStream(), "\r\n0\r\n\r\n")).startsWith("HTTP/1.1 200").contains("again");
    }
  }

  @Test
  void anHttp2ClientGetsTheHeadAndThePiecesBeforeTheBodyEnds() throws Exception {
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Stream stream = h2.open("GET", "/s/unknown", Map.of(), true);
      Source source = StreamTestPlugin.next();
      assertThat(stream.head().get(10, TimeUnit.SECONDS).get("x-streamed").toString()).isEqualTo("yes");
      source.awaitRequested(1);
      source.send("first");
      Poll.until("the first piece arrived", () -> stream.received() == 5);
      assertThat(stream.response()).isNotDone();
      source.awaitRequested(2);
      source.send(" and the rest");
      source.end();
      H2Client.Response response = stream.response().get(10, TimeUnit.SECONDS);
      assertThat(response.bodyText()).isEqualTo("first and the rest");
      assertThat(response.headers().contains("content-length")).isFalse();
    }
  }

  @Test
  void aKnownLengthIsSentAsContentLength() throws Exception {
    CompletableFuture<HttpResponse<String>> pending =
        client.sendAsync(HttpRequest.newBuilder(gateway.uri("/s/sized")).build(), BodyHandlers.ofString());
    Source source = StreamTestPlugin.next();
    source.awaitRequested(1);
    source.send("hello ");
    source.awaitRequested(2);
    source.send("world");
    source.end();
    HttpResponse<String> response = pending.get(10, TimeUnit.SECONDS);
    assertThat(response.body()).isEqualTo("hello world");
    assertThat(response.headers().firstValue("content-length")).contains("11");
  }

  @Test
  void aBodyShorterOrLongerThanAnnouncedIsCut() throws Exception {
    CompletableFuture<HttpResponse<String>> shorter =
        client.sendAsync(HttpRequest.newBuilder(gateway.uri("/s/sized")).build(), BodyHandlers.ofString());
    Source source = StreamTestPlugin.next();
    source.awaitRequested(1);
    source.send("hello");
    source.end();
    assertThatThrownBy(() -> shorter.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);

    CompletableFuture<HttpResponse<String>> longer =
        client.sendAsync(HttpRequest.newBuilder(gateway.uri("/s/sized")).build(), BodyHandlers.ofString());
    Source second = StreamTestPlugin.next();
    second.awaitRequested(1);
    second.send("hello world and more");
    assertThatThrownBy(() -> longer.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
    second.cancelled.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFailedBodyCutsTheHttp1ResponseSoTheClientSeesItIncomplete() throws Exception {
    try (Socket socket = gateway.raw().open()) {
      Source source = partSent(socket, "/s/cut");
      source.fail();
      String rest = readToEnd(socket.getInputStream());
      assertThat(rest).as("no last chunk: the connection closed mid-body").doesNotContain("0\r\n\r\n");
    }
    assertThat(gateway.accessLogLine("/s/cut").get("abort").asText()).isEqualTo("plugin_stream_failed");
  }

  @Test
  void aFailedBodyResetsTheHttp2Stream() throws Exception {
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Stream stream = h2.open("GET", "/s/unknown", Map.of(), true);
      Source source = StreamTestPlugin.next();
      source.awaitRequested(1);
      source.send("part");
      Poll.until("the part arrived", () -> stream.received() == 4);
      source.fail();
      assertThatThrownBy(() -> stream.response().get(10, TimeUnit.SECONDS)).hasMessageContaining("stream reset");
      H2Client.Stream other = h2.open("GET", "/s/sized", Map.of(), true); // the connection carries on
      Source next = StreamTestPlugin.next();
      next.awaitRequested(1);
      next.send("hello world");
      next.end();
      assertThat(other.response().get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("hello world");
    }
  }

  @Test
  void theGatewayAsksForMoreOnlyWhileTheClientReads() throws Exception {
    try (H2Client h2 = H2Client.h2c(gateway.port(), 65535)) {
      H2Client.Stream stream = h2.open("GET", "/s/auto", Map.of(), true);
      stream.setReading(false);
      Source source = StreamTestPlugin.next();
      Poll.until("pieces flowed", () -> source.sent.get() > 0);
      Thread.sleep(1000); // the client reads nothing meanwhile: the flow-control window and the buffers fill, then no demand
      long whilePaused = source.sent.get();
      assertThat(whilePaused).as("bytes produced while the client did not read").isLessThan(8L * MIB);
      stream.setReading(true);
      H2Client.Response response = stream.response().get(30, TimeUnit.SECONDS);
      assertThat(response.body()).hasSize(32 * MIB);
      assertThat(source.sent.get()).isEqualTo(32L * MIB);
    }
  }

  @Test
  void aClientThatGoesAwayCancelsTheBody() throws Exception {
    try (Socket socket = gateway.raw().open()) {
      Source source = partSent(socket, "/s/unknown");
      socket.close();
      source.cancelled.get(10, TimeUnit.SECONDS);
      source.send("after the client left"); // ignored
      source.end();
    }
    try (H2Client h2 = H2Client.h2c(gateway.port())) {
      H2Client.Stream stream = h2.open("GET", "/s/unknown", Map.of(), true);
      Source source = StreamTestPlugin.next();
      source.awaitRequested(1);
      source.send("part");
      Poll.until("the part arrived", () -> stream.received() == 4);
      stream.cancel();
      source.cancelled.get(10, TimeUnit.SECONDS);
    }
    Poll.until("both exchanges logged as client_closed", () -> {
      try {
        return gateway.accessLogJson("/s/unknown").stream().filter(l -> l.get("abort").asText().equals("client_closed"))
            .count() == 2;
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void aHeadRequestGetsTheHeadWithTheLengthAndTheBodyIsNeverSubscribedTo() throws Exception {
    HttpResponse<Void> response = client.send(HttpRequest.newBuilder(gateway.uri("/s/sized"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), BodyHandlers.discarding());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-length")).contains("11");
    assertThat(StreamTestPlugin.SOURCES.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  /** Asks for {@code path} over HTTP/1.1 on {@code socket}; returns its body's source once a first piece arrived. */
  static Source partSent(Socket socket, String path) throws Exception {
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    Source source = StreamTestPlugin.next();
    source.awaitRequested(1);
    source.send("part");
    readUntil(socket.getInputStream(), "part");
    return source;
  }

  /** Reads until {@code marker} arrived; returns all that was read. */
  static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    while (!read.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("closed before " + marker + " arrived; got: " + read.toString(StandardCharsets.ISO_8859_1));
      }
      read.write(b);
    }
    return read.toString(StandardCharsets.ISO_8859_1);
  }

  /** Reads until the server closes the connection (failing if it stays open). */
  static String readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) >= 0) {
        read.write(b);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection stayed open; got: " + read.toString(StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      // reset: closed too
    }
    return read.toString(StandardCharsets.ISO_8859_1);
  }
}
