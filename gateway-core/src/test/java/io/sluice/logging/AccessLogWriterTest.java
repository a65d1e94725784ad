package io.sluice.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.AccessLogConfig;
import io.sluice.testing.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogWriterTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  static AccessLogEntry entry(String requestId) {
    return new AccessLogEntry(1_764_000_000_123L, requestId, null, "127.0.0.1", "127.0.0.1", "public", "HTTP/1.1", "GET",
        "example.com", "/items/7", Set.of(), "api", "10.0.0.1:80", 200, -1, null, null, null, null, 0, 12,
        3_000_000, 2_000_000, null, null, null, null, 1);
  }

  private static List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static AccessLogWriter jsonTo(Path file, long maxSize, int maxFiles) throws IOException {
    return new AccessLogWriter(new JsonAccessLogFormat(), new FileOutput(file, maxSize, maxFiles), file.toString(),
        AccessLogWriter.DEFAULT_CAPACITY);
  }

  @Test
  void closeWritesEveryQueuedLineToTheFileInOrder() throws Exception {
    Path file = dir.resolve("access.log");
    AccessLogWriter writer = jsonTo(file, 0, 5);
    for (int i = 0; i < 20_000; i++) {
      assertThat(writer.offer(entry("req-" + i))).isTrue();
    }
    writer.close();

    List<String> lines = lines(file);
    assertThat(lines).hasSize(20_000);
    for (int i = 0; i < lines.size(); i += 997) {
      assertThat(JSON.readTree(lines.get(i)).get("request_id").asText()).isEqualTo("req-" + i);
    }
    assertThat(writer.dropped()).isZero();
  }

  @Test
  void anExistingFileIsAppendedTo() throws Exception {
    Path file = dir.resolve("access.log");
    Files.writeString(file, "earlier line\n");
    AccessLogWriter writer = jsonTo(file, 0, 5);
    writer.offer(entry("req-1"));
    writer.close();

    assertThat(lines(file)).hasSize(2).first().isEqualTo("earlier line");
  }

  @Test
  void reopenAfterLogrotateRenamedTheFileStartsANewOne() throws Exception {
    Path file = dir.resolve("access.log");
    Path rotated = dir.resolve("access.log.1");
    AccessLogWriter writer = jsonTo(file, 0, 5);
    writer.offer(entry("before-1"));
    writer.offer(entry("before-2"));
    Poll.until("two lines written", () -> lines(file).size() == 2);

    Files.move(file, rotated); // what logrotate does, then it signals SIGUSR1
    writer.offer(entry("between")); // still the renamed file: the writer holds it open
    Poll.until("the line written to the renamed file", () -> lines(rotated).size() == 3);
    writer.reopen();
    Poll.until("a new file opened", () -> Files.exists(file));
    writer.offer(entry("after-1"));
    writer.close();

    assertThat(lines(rotated)).extracting(l -> JSON.readTree(l).get("request_id").asText())
        .containsExactly("before-1", "before-2", "between");
    assertThat(lines(file)).extracting(l -> JSON.readTree(l).get("request_id").asText()).containsExactly("after-1");
  }

  @Test
  void theFileIsRotatedAtItsMaxSizeKeepingMaxFiles() throws Exception {
    Path file = dir.resolve("access.log");
    int lineBytes = (JsonAccessLogFormatTest.format(entry("req-00")) + "\n").getBytes(StandardCharsets.UTF_8).length;
    long maxSize = lineBytes * 4L; // four lines per file
    AccessLogWriter writer = jsonTo(file, maxSize, 2);
    for (int i = 0; i < 14; i++) {
      writer.offer(entry(String.format("req-%02d", i)));
    }
    writer.close();

    // 14 lines, 4 per file: the current file has the last 2, .1 and .2 the 8 before; the oldest 4 are gone
    assertThat(ids(file)).containsExactly("req-12", "req-13");
    assertThat(ids(dir.resolve("access.log.1"))).containsExactly("req-08", "req-09", "req-10", "req-11");
    assertThat(ids(dir.resolve("access.log.2"))).containsExactly("req-04", "req-05", "req-06", "req-07");
    assertThat(dir.resolve("access.log.3")).doesNotExist();
    for (Path each : List.of(file, dir.resolve("access.log.1"), dir.resolve("access.log.2"))) {
      assertThat(Files.size(each)).isLessThanOrEqualTo(maxSize);
    }
  }

  private static List<String> ids(Path file) throws IOException {
    return lines(file).stream().map(l -> {
      try {
        return JSON.readTree(l).get("request_id").asText();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).toList();
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger written = new AtomicInteger();
    AccessLogOutput stuck = new AccessLogOutput() {
      @Override
      public void write(byte[] line) throws IOException {
        writing.countDown();
        try {
          release.await(); // a disk that does not keep up
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        written.incrementAndGet();
      }

      @Override
      public void flush() {}

      @Override
      public void reopen() {}

      @Override
      public void close() {}
    };
    AccessLogWriter writer = new AccessLogWriter(new TextAccessLogFormat(), stuck, "test", 10);
    writer.offer(entry("first"));
    assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue(); // the writer holds "first" and waits

    int accepted = 0;
    for (int i = 0; i < 25; i++) {
      if (writer.offer(entry("more-" + i))) {
        accepted++;
      }
    }
    assertThat(accepted).isEqualTo(10);
    assertThat(writer.dropped()).isEqualTo(15);

    release.countDown();
    writer.close();
    assertThat(written.get()).isEqualTo(11);
  }

  @Test
  void standardOutputIsTheDefaultAndAFileIsOpenedAtOnce() throws Exception {
    Path file = dir.resolve("opened.log");
    AccessLogWriter writer = AccessLogWriter.open(new AccessLogConfig(true, AccessLogConfig.Format.TEXT, file, 0, 5));
    assertThat(file).exists();
    writer.offer(entry("req-1"));
    writer.close();

    assertThat(lines(file)).singleElement().asString().contains(" req-1 127.0.0.1 GET /items/7 200 api 10.0.0.1:80 ");
  }

  @Test
  void aLineOfTheJsonFormatParsesBackToTheSameValues() throws Exception {
    JsonNode line = JSON.readTree(JsonAccessLogFormatTest.format(entry("req-1")));
    assertThat(line.get("time").asText()).isEqualTo("2025-11-24T16:00:00.123Z");
    assertThat(line.get("duration_ms").asDouble()).isEqualTo(3.0);
    assertThat(line.get("upstream_ms").asDouble()).isEqualTo(2.0);
  }
}
