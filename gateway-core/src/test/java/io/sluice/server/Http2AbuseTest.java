package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.sluice.testing.Gateway;
import io.sluice.testing.H2Client;
import io.sluice.testing.LogCapture;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.Poll;
import io.sluice.testing.RawH2;
import io.sluice.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTP/2 clients that misbehave, written frame by frame: rapid reset, resets provoked from the server,
 * too many streams, header floods. Each abuse is also checked for what operators see: a stream error
 * is counted and logged at debug level only, a connection cut off is counted and logged as one warning
 * line naming the client, and nothing logs a stack trace.
 */
@ExtendWith(NoLeaksExtension.class)
class Http2AbuseTest {

  private static final int PROTOCOL_ERROR = 0x1;
  private static final int ENHANCE_YOUR_CALM = 0xb;
  private static final int REFUSED_STREAM = 0x7;
  private static final int CANCEL = 0x8;
  private static final int MAX_SERVER_RESETS = 10;

  static TestUpstream upstream;
  static Gateway gateway;
  /** A gateway with default stream concurrency and a low bound on the resets a client may provoke. */
  static Gateway resetBound;
  LogCapture log;

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
    resetBound = Gateway.start("""
        server:
          listeners:
            - { name: public, bind: 127.0.0.1, port: 0, protocols: [h2c] }
          http2: { max_server_resets: %d, reset_window: 30s }
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - id: all
            match: { path: /** }
            upstream: backend
        """.formatted(MAX_SERVER_RESETS), Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    resetBound.close();
    gateway.close();
    upstream.close();
  }

  @BeforeEach
  void captureLog() {
    log = LogCapture.start(); // at the levels a production gateway logs at
  }

  @AfterEach
  void stopCapturingLog() {
    log.close();
  }

  @Test
  void rapidResetGetsGoAwayAndTheConnectionIsCut() throws Exception {
    double before = errors(gateway, "connection", "client_resets");
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
      assertCutOffWithOneWarning(gateway, client, "ENHANCE_YOUR_CALM", "client_resets", before);
    }
    // other clients are served as before
    try (H2Client client = H2Client.h2c(gateway.port())) {
      assertThat(client.get("/ok").bodyText()).isEqualTo("GET /ok");
    }
  }

  @Test
  void streamsBeyondTheConcurrencyLimitAreRefused() throws Exception {
    double before = errors(gateway, "stream", "refused_stream");
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
    assertThat(errors(gateway, "stream", "refused_stream")).isEqualTo(before + 1);
    assertThat(warnings()).as("a refused stream is no news to operators").isEmpty();
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
    double before = errors(gateway, "connection", "headers_too_large");
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
      assertCutOffWithOneWarning(gateway, client, "PROTOCOL_ERROR", "headers_too_large", before);
    }
  }

  @Test
  void aHeaderBlockInManySmallContinuationFramesIsCutOff() throws Exception {
    double before = errors(gateway, "connection", "continuation_flood");
    try (RawH2 client = new RawH2(gateway.port())) {
      client.frame(RawH2.HEADERS, 0, 1, RawH2.requestBlock("GET", "/dribble", Map.of()));
      for (int i = 0; i < 20; i++) {
        client.frame(RawH2.CONTINUATION, 0, 1, new byte[0]); // far below the header size limit, but costs a frame each
      }
      client.flush();

      RawH2.Frame goAway = client.readUntil(RawH2.GOAWAY, 5_000);
      assertThat(goAway).as("GOAWAY").isNotNull();
      assertThat(goAway.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
      assertThat(client.isClosedByServer(5_000)).isTrue();
      assertCutOffWithOneWarning(gateway, client, "ENHANCE_YOUR_CALM", "continuation_flood", before);
    }
    assertThat(upstream.requests()).noneMatch(r -> r.uri().equals("/dribble"));
  }

  @Test
  void emptyFramesAreNotAWayAroundTheLimits() throws Exception {
    double before = errors(gateway, "connection", "empty_data_frames");
    try (RawH2 client = new RawH2(gateway.port())) {
      client.headers(1, RawH2.requestBlock("POST", "/upload", Map.of()), false);
      byte[] empty = new byte[0];
      boolean cut = false;
      try {
        for (int i = 0; i < 100; i++) {
          client.frame(RawH2.DATA, 0, 1, empty);
        }
        client.flush();
      } catch (java.io.IOException cutWhileSending) {
        cut = true; // the server already closed the connection
      }
      if (!cut) {
        RawH2.Frame goAway = client.readUntil(RawH2.GOAWAY, 5_000);
        assertThat(goAway).as("GOAWAY").isNotNull();
        assertThat(client.isClosedByServer(5_000)).isTrue();
      }
      assertCutOffWithOneWarning(gateway, client, "ENHANCE_YOUR_CALM", "empty_data_frames", before);
    }
  }

  @Test
  void streamErrorsAreCountedAndLoggedAtDebugLevelOnly() throws Exception {
    double before = errors(resetBound, "stream", "protocol_error");
    double cutOff = errors(resetBound, "connection", "server_resets");
    int provoked = MAX_SERVER_RESETS / 2;
    try (LogCapture debug = LogCapture.start("io.sluice.server"); RawH2 client = new RawH2(resetBound.port())) {
      String peer = client.localAddress();
      int stream = 1;
      for (int i = 0; i < provoked; i++, stream += 2) {
        provokeReset(client, stream);
      }
      int answered = stream;
      client.headers(answered, RawH2.requestBlock("GET", "/ok", Map.of()), true);
      client.flush();
      List<RawH2.Frame> frames = client.readThrough(f -> f.type() == RawH2.HEADERS && f.streamId() == answered, 5_000);
      assertThat(frames.get(frames.size() - 1).streamId()).as("the connection still serves").isEqualTo(answered);
      assertThat(frames).filteredOn(f -> f.type() == RawH2.RST_STREAM).extracting(RawH2.Frame::errorCode)
          .containsExactlyElementsOf(Collections.nCopies(provoked, PROTOCOL_ERROR));

      assertThat(log.atLeast(Level.INFO)).as("what a production log shows of stream errors")
          .filteredOn(Http2AbuseTest::fromGateway).isEmpty();
      assertThat(debug.records()).filteredOn(Http2AbuseTest::fromGateway)
          .filteredOn(r -> LogCapture.message(r).contains(" from " + peer + " "))
          .hasSize(provoked)
          .allSatisfy(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.FINE);
            assertThat(r.getThrown()).as("stack trace").isNull();
            assertThat(LogCapture.message(r)).matches("HTTP/2 stream \\d+ from " + peer + " reset with PROTOCOL_ERROR: "
                + "Received WINDOW_UPDATE with delta 0 for stream: \\d+");
          });
    }
    Poll.until("stream errors counted", () -> errors(resetBound, "stream", "protocol_error") == before + provoked,
        () -> "count " + errors(resetBound, "stream", "protocol_error"));
    assertThat(errors(resetBound, "connection", "server_resets")).isEqualTo(cutOff);
  }

  @Test
  void anAttackFromManyConnectionsLogsOneShortLinePerConnection() throws Exception {
    double before = errors(resetBound, "connection", "server_resets");
    int connections = 5;
    for (int c = 0; c < connections; c++) {
      try (RawH2 client = new RawH2(resetBound.port())) {
        for (int i = 0, stream = 1; i <= MAX_SERVER_RESETS; i++, stream += 2) {
          provokeReset(client, stream);
        }
        client.flush();
        RawH2.Frame goAway = client.readUntil(RawH2.GOAWAY, 5_000);
        assertThat(goAway).as("GOAWAY").isNotNull();
        assertThat(goAway.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
        assertThat(client.isClosedByServer(5_000)).isTrue();
      }
    }
    Poll.until("every connection counted", () -> errors(resetBound, "connection", "server_resets") == before + connections);
    Poll.until("every connection logged", () -> warnings().size() >= connections);
    assertThat(log.atLeast(Level.INFO)).filteredOn(Http2AbuseTest::fromGateway).hasSize(connections)
        .allSatisfy(r -> assertThat(r.getThrown()).as("stack trace").isNull());
    // 55 provoked resets and 5 connections cut off: 5 lines, where each reset used to log a stack trace
    assertThat(log.volume()).isLessThan(connections * 300L);
  }

  @Test
  void aClientProvokingResetsPastTheBoundGetsGoAwayAndTheConnectionIsCut() throws Exception {
    double before = errors(resetBound, "connection", "server_resets");
    try (RawH2 client = new RawH2(resetBound.port())) {
      int stream = 1;
      for (int i = 0; i < MAX_SERVER_RESETS; i++, stream += 2) {
        provokeReset(client, stream);
      }
      int answered = stream;
      client.headers(answered, RawH2.requestBlock("GET", "/ok", Map.of()), true);
      client.flush();
      List<RawH2.Frame> atTheBound = client.readThrough(f -> f.type() == RawH2.HEADERS && f.streamId() == answered, 5_000);
      assertThat(atTheBound.get(atTheBound.size() - 1).streamId()).as("served at the bound").isEqualTo(answered);
      assertThat(atTheBound).filteredOn(f -> f.type() == RawH2.RST_STREAM).hasSize(MAX_SERVER_RESETS);

      provokeReset(client, answered + 2);
      client.flush();
      RawH2.Frame goAway = client.readUntil(RawH2.GOAWAY, 5_000);
      assertThat(goAway).as("GOAWAY").isNotNull();
      assertThat(goAway.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
      assertThat(client.isClosedByServer(5_000)).isTrue();
      assertCutOffWithOneWarning(resetBound, client, "ENHANCE_YOUR_CALM", "server_resets", before);
    }
    try (H2Client client = H2Client.h2c(resetBound.port())) {
      assertThat(client.get("/ok").bodyText()).isEqualTo("GET /ok");
    }
  }

  /**
   * Opens {@code stream} and breaks its rules with a WINDOW_UPDATE of 0 (RFC 9113 section 6.9), which the
   * server must answer by resetting the stream: the "MadeYouReset" pattern.
   */
  private static void provokeReset(RawH2 client, int stream) throws java.io.IOException {
    client.headers(stream, RawH2.requestBlock("GET", "/ok", Map.of()), false);
    client.windowUpdate(stream, 0);
  }

  private static double errors(Gateway gateway, String kind, String reason) {
    Counter counter = gateway.server().meters().find("sluice.http2.errors").tag("kind", kind).tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  private static boolean fromGateway(LogRecord record) {
    String logger = String.valueOf(record.getLoggerName());
    return logger.startsWith("io.sluice") || logger.startsWith("io.netty");
  }

  /** What the gateway logged as WARNING or worse while the test ran. */
  private List<LogRecord> warnings() {
    return log.atLeast(Level.WARNING).stream().filter(Http2AbuseTest::fromGateway).toList();
  }

  /**
   * The connection of {@code client} was counted as cut off for {@code reason}, and logged once, in one line, as a
   * warning naming the client and the error {@code code} of the GOAWAY.
   */
  private void assertCutOffWithOneWarning(Gateway gateway, RawH2 client, String code, String reason, double before)
      throws InterruptedException {
    Poll.until("connection error counted as " + reason, () -> errors(gateway, "connection", reason) == before + 1,
        () -> "count " + errors(gateway, "connection", reason) + ", " + gateway.server().meters().find("sluice.http2.errors")
            .counters().stream().map(c -> c.getId().getTags() + "=" + c.count()).toList());
    Poll.until("a warning", () -> !warnings().isEmpty());
    assertThat(warnings()).singleElement().satisfies(warning -> {
      assertThat(warning.getThrown()).as("stack trace").isNull();
      assertThat(LogCapture.message(warning))
          .startsWith("HTTP/2 connection from " + client.localAddress() + " closed with GOAWAY " + code + " (" + reason + "): ")
          .doesNotContain("\n");
    });
  }
}
