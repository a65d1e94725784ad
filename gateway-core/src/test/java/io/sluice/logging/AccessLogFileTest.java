package io.sluice.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import io.sluice.testing.TestUpstream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code access_log: { path: FILE }} on a real gateway, rotated the way logrotate does it. */
class AccessLogFileTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static List<String> paths(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return lines.stream().map(line -> {
      try {
        return JSON.readTree(line).get("path").asText();
      } catch (IOException e) {
        throw new IllegalStateException(line, e);
      }
    }).toList();
  }

  @Test
  void linesGoToTheFileAndAfterLogrotateRenamedItToANewOneOnReopen() throws Exception {
    Path file = dir.resolve("access.log");
    Path rotated = dir.resolve("access.log.1");
    try (TestUpstream upstream = new TestUpstream()) {
      Gateway gateway = Gateway.start("""
          server:
            listeners: [ { name: public, bind: 127.0.0.1, port: 0 } ]
            access_log: { format: json, path: "${FILE}" }
          upstreams:
            backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
          routes:
            - { id: api, match: { path: /** }, upstream: backend }
          """, Map.of("UPSTREAM", String.valueOf(upstream.port()), "FILE", file.toString()));
      try {
        gateway.send("GET", "/one");
        gateway.send("GET", "/two");
        Poll.until("two lines in the file", () -> paths(file).size() == 2);

        Files.move(file, rotated); // logrotate renames, then sends SIGUSR1, whose handler calls reopen()
        gateway.send("GET", "/three");
        Poll.until("the renamed file still written", () -> paths(rotated).size() == 3);
        gateway.accessLogWriter().reopen();
        Poll.until("a new file", () -> Files.exists(file));
        gateway.send("GET", "/four");
      } finally {
        gateway.close(); // writes and closes: no line is lost
      }
      assertThat(paths(rotated)).containsExactly("/one", "/two", "/three");
      assertThat(paths(file)).containsExactly("/four");
    }
  }
}
