package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessLogTest {

  private static Exchange exchange(String requestId) {
    Exchange exchange = new Exchange(requestId, "127.0.0.1", "GET", "/items/7");
    exchange.status(200);
    return exchange;
  }

  @Test
  void everyQueuedLineIsWrittenInOrderByClose() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    AccessLog log = new AccessLog(sink);
    for (int i = 0; i < 5_000; i++) {
      log.log(exchange("req-" + i));
    }
    log.close();

    List<String> lines = sink.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(5_000);
    for (int i = 0; i < lines.size(); i++) {
      assertThat(lines.get(i).split(" ")[1]).isEqualTo("req-" + i);
    }
    assertThat(log.dropped()).isZero();
  }

  @Test
  void lineStartsWithTheUtcTimeToTheMillisecond() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    AccessLog log = new AccessLog(sink);
    log.log(exchange("req-1"));
    log.close();

    assertThat(sink.toString(StandardCharsets.UTF_8))
        .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z req-1 127\\.0\\.0\\.1 GET /items/7 200 - - - - - 0 0 \\d+\\.\\d{3} - -\\R");
  }

  @Test
  void disabledLogStartsNoWriterThread() {
    long writersBefore = accessLogWriters();
    AccessLog log = AccessLog.disabled();
    log.log(exchange("req-1"));

    assertThat(log.isEnabled()).isFalse();
    assertThat(accessLogWriters()).isEqualTo(writersBefore);
    log.close();
  }

  private static long accessLogWriters() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("sluice-access-log") && t.isAlive())
        .count();
  }
}
