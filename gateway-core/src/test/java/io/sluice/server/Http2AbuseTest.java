package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.RawH2;
import io.sluice.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HTTP/2 clients that misbehave, written frame by frame: rapid reset, too many streams, header floods. */
@ExtendWith(NoLeaksExtension.class)
class Http2AbuseTest {

  private static final int ENHANCE_YOUR_CALM = 0xb;
  private static final int REFUSED_STREAM = 0x7;
  private static final int CANCEL = 0x8;

  static TestUpstream upstream;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners:
            - { name: public, bind: 127.0.0.1, port: 0, protocols: [h2c] }
          limits: { max_header_bytes: 4KiB }
          http2: { max_concurrent_streams: 2, max_resets: 20, reset_window: 10s }
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: all
            match: { path: /** }
            upstream: backend
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  @Test
  void rapidResetGetsGoAwayAndTheConnectionIsCut() throws Exception {
    try (RawH2 client = new RawH2(gateway.port())) {
      byte[] request = RawH2.requestBlock("GET", "/slow?ms=5000", Map.of());
      for (int stream = 1; stream < 400; stream += 2) {
        client.headers(stream, request, true);
        client.rstStream(stream, CANCEL);
      }
      client.flush();

      RawH2.Frame goAway = client.readUntil(RawH2.GOAWAY, 5_000);
      assertThat(goAway).as("GOAWAY").isNotNull();
      assertThat(goAway.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
      assertThat(client.isClosedByServer(5_000)).isTrue();
    }
    // other clients are served as before
    try (H2Client client = H2Client.h2c(gateway.port())) {
      assertThat(client.get("/ok").bodyText()).isEqualTo("GET /ok");
    }
  }

  @Test
  void streamsBeyondTheConcurrencyLimitAreRefused() throws Exception {
    try (RawH2 client = new RawH2(gateway.port())) {
      byte[] slow = RawH2.requestBlock("GET", "/slow?ms=1000", Map.of());
      client.headers(1, slow, true);
      client.headers(3, slow, true);
      client.headers(5, slow, true);
      client.flush();

      RawH2.Frame reset = client.readUntil(RawH2.RST_STREAM, 5_000);
      assertThat(reset).isNotNull();
      assertThat(reset.streamId()).isEqualTo(5);
      assertThat(reset.errorCode()).isEqualTo(REFUSED_STREAM);
      // the two admitted streams are answered
      List<RawH2.Frame> frames = client.readUntilClosed(3_000);
      assertThat(frames).filteredOn(f -> f.type() == RawH2.HEADERS).extracting(RawH2.Frame::streamId)
          .containsExactlyInAnyOrder(1, 3);
    }
  }

  @Test
  void aHeaderBlockLargerThanTheLimitIsRefused() throws Exception {
    try (RawH2 client = new RawH2(gateway.port())) {
      ByteArrayOutputStream big = new ByteArrayOutputStream();
      big.writeBytes(RawH2.requestBlock("GET", "/big", Map.of()));
      RawH2.literal(big, "x-big", "a".repeat(6_000));
      client.headers(1, big.toByteArray(), true);
      client.flush();

      List<RawH2.Frame> frames = client.readUntilClosed(3_000);
      assertThat(frames).as("refused with a reset, a 431 or GOAWAY").anyMatch(f -> f.type() == RawH2.RST_STREAM
          || f.type() == RawH2.GOAWAY || f.type() == RawH2.HEADERS && f.streamId() == 1);
      assertThat(upstream.requests()).noneMatch(r -> r.uri().equals("/big"));
    }
  }

  @Test
  void aFloodOfContinuationFramesIsCutOff() throws Exception {
    try (RawH2 client = new RawH2(gateway.port())) {
      client.frame(RawH2.HEADERS, 0, 1, RawH2.requestBlock("GET", "/flood", Map.of()));
      ByteArrayOutputStream piece = new ByteArrayOutputStream();
      RawH2.literal(piece, "x-flood", "b".repeat(1_000));
      byte[] fragment = piece.toByteArray();
      boolean cut = false;
      try {
        for (int i = 0; i < 10_000; i++) {
          client.frame(RawH2.CONTINUATION, 0, 1, fragment);
        }
        client.flush();
      } catch (java.io.IOException closedWhileSending) {
        cut = true;
      }
      if (!cut) {
        RawH2.Frame goAway = client.readUntil(RawH2.GOAWAY, 5_000);
        assertThat(goAway).as("GOAWAY").isNotNull();
        assertThat(client.isClosedByServer(5_000)).isTrue();
      }
      assertThat(upstream.requests()).noneMatch(r -> r.uri().equals("/flood"));
    }
  }

  @Test
  void emptyFramesAreNotAWayAroundTheLimits() throws Exception {
    try (RawH2 client = new RawH2(gateway.port())) {
      client.headers(1, RawH2.requestBlock("POST", "/upload", Map.of()), false);
      byte[] empty = new byte[0];
      try {
        for (int i = 0; i < 100; i++) {
          client.frame(RawH2.DATA, 0, 1, empty);
        }
        client.flush();
      } catch (java.io.IOException cutWhileSending) {
        return; // the server already closed the connection
      }

      RawH2.Frame goAway = client.readUntil(RawH2.GOAWAY, 5_000);
      assertThat(goAway).as("GOAWAY").isNotNull();
      assertThat(client.isClosedByServer(5_000)).isTrue();
    }
  }
}
