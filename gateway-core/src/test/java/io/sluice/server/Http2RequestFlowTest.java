package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.TestUpstream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An HTTP/2 request body the upstream does not take is held back by flow control on its own stream:
 * the gateway stops giving the client window for it (the client cannot send it all), other streams of
 * the same connection go on, and once the upstream reads, the rest of the body flows and arrives whole.
 */
@ExtendWith(NoLeaksExtension.class)
class Http2RequestFlowTest {

  private static final int BODY_BYTES = 48 * 1024 * 1024;
  private static final int CHUNK_BYTES = 64 * 1024;

  @Test
  void anUploadTheUpstreamDoesNotReadStopsAtItsWindowAndHoldsBackNoOtherStream() throws Exception {
    CountDownLatch upstreamReads = new CountDownLatch(1);
    AtomicLong upstreamBytes = new AtomicLong();
    try (ServerSocket stalling = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        TestUpstream normal = new TestUpstream()) {
      stalling.setReceiveBufferSize(64 * 1024);
      // threads of their own: both block, and the common pool may have a single thread
      ExecutorService threads = Executors.newFixedThreadPool(2);
      CompletableFuture<Void> upstream = CompletableFuture.runAsync(() -> serveAfter(stalling, upstreamReads, upstreamBytes), threads);
      try (Gateway gateway = Gateway.start("""
              server:
                listeners:
                  - { name: public, bind: 127.0.0.1, port: 0, protocols: [h2c] }
              upstreams:
                stalling: { endpoints: [ "http://127.0.0.1:${STALLING}" ] }
                normal: { endpoints: [ "http://127.0.0.1:${NORMAL}" ] }
              routes:
                - { id: upload, match: { path: /upload }, upstream: stalling, max_body_bytes: 64MiB }
                - { id: other, match: { path: /** }, upstream: normal }
              """, Map.of("STALLING", String.valueOf(stalling.getLocalPort()), "NORMAL", String.valueOf(normal.port())));
          H2Client client = H2Client.h2c(gateway.port())) {
        H2Client.Stream upload = client.open("POST", "/upload", Map.of(), false);
        AtomicLong sent = new AtomicLong();
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
          byte[] chunk = new byte[CHUNK_BYTES];
          try {
            for (int offset = 0; offset < BODY_BYTES; offset += CHUNK_BYTES) {
              upload.send(chunk, offset + CHUNK_BYTES >= BODY_BYTES);
              sent.addAndGet(CHUNK_BYTES);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, threads);

        // Kernel buffers and the stream's window take what they can first; then nothing more moves.
        long stuckAt = sent.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long previous;
        do {
          previous = stuckAt;
          Thread.sleep(700);
          stuckAt = sent.get();
        } while (stuckAt != previous && System.nanoTime() < deadline);
        assertThat(stuckAt).as("the client is out of window: the upload stopped").isEqualTo(previous);
        assertThat(sending).isNotDone();
        assertThat(stuckAt).as("bytes the client could send before running out of window").isLessThan(BODY_BYTES / 2);
        // Other streams of the connection are served while the upload is stuck.
        for (int i = 0; i < 5; i++) {
          assertThat(client.get("/echo?i=" + i).status()).isEqualTo(200);
        }
        assertThat(sent.get()).as("still stuck").isEqualTo(stuckAt);

        upstreamReads.countDown();
        sending.get(30, TimeUnit.SECONDS);
        H2Client.Response response = upload.response().get(30, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(200);
        upstream.get(10, TimeUnit.SECONDS);
        assertThat(upstreamBytes.get()).as("the whole body (and its chunk framing) reached the upstream")
            .isGreaterThanOrEqualTo(BODY_BYTES);
      } finally {
        threads.shutdownNow();
      }
    }
  }

  /** Accepts one connection, reads nothing until {@code go}, then reads the chunked request to its end and answers. */
  private static void serveAfter(ServerSocket server, CountDownLatch go, AtomicLong bytes) {
    try (Socket socket = server.accept()) {
      go.await(60, TimeUnit.SECONDS);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[256 * 1024];
      byte[] tail = new byte[5];
      int n;
      while ((n = in.read(buffer)) > 0) {
        bytes.addAndGet(n);
        // the last 5 bytes read so far end the chunked body when they are "0\r\n\r\n"
        if (n >= 5) {
          System.arraycopy(buffer, n - 5, tail, 0, 5);
        } else {
          System.arraycopy(tail, n, tail, 0, 5 - n);
          System.arraycopy(buffer, 0, tail, 5 - n, n);
        }
        if (new String(tail, StandardCharsets.US_ASCII).equals("0\r\n\r\n")) {
          break;
        }
      }
      OutputStream out = socket.getOutputStream();
      out.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
