package io.sluice.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonAccessLogFormatTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static String format(AccessLogEntry entry) {
    StringBuilder line = new StringBuilder();
    new JsonAccessLogFormat().append(line, entry);
    return line.toString();
  }

  @Test
  void everyStringIsEscapedSoTheLineParsesBackToWhatWasSent() throws Exception {
    String nasty = "a\"b\\c\nd\re\tf\u0000g\u001fh\u2028i é 😀 </script>";
    AccessLogEntry entry = new AccessLogEntry(0, "id", "0af7651916cd43dd8448eb211c80319c", "::1", "::1", "public", "HTTP/2",
        "GET", nasty, "/p?q=" + nasty, Set.of(), "r", "u:1", 502, 14, "UPSTREAM_UNAVAILABLE", "upstream", nasty,
        "client_closed", 5, 6, 1_234_567, 890, new String[] {"jwt", "rate_limit", "cors"}, new long[] {1_500, -1, 2_000_000},
        nasty, "consumer", 2);

    String text = format(entry);
    assertThat(text).doesNotContain("\n", "\r", "\u2028");
    JsonNode line = JSON.readTree(text);
    assertThat(line.get("host").asText()).isEqualTo(nasty);
    assertThat(line.get("path").asText()).isEqualTo("/p?q=" + nasty);
    assertThat(line.get("error_details").asText()).isEqualTo(nasty);
    assertThat(line.get("subject").asText()).isEqualTo(nasty);
    assertThat(line.get("time").asText()).isEqualTo("1970-01-01T00:00:00.000Z");
    assertThat(line.get("grpc_status").asInt()).isEqualTo(14);
    assertThat(line.get("duration_ms").decimalValue()).isEqualByComparingTo("1.234");
    assertThat(line.get("upstream_ms").decimalValue()).isEqualByComparingTo("0.000");
    assertThat(line.get("plugins").properties()).extracting(java.util.Map.Entry::getKey).containsExactly("jwt", "cors");
    assertThat(line.get("plugins").get("jwt").decimalValue()).isEqualByComparingTo("0.001");
    assertThat(line.get("plugins").get("cors").decimalValue()).isEqualByComparingTo("2.000");
    assertThat(line.get("attempts").asInt()).isEqualTo(2);
    assertThat(line.get("abort").asText()).isEqualTo("client_closed");
  }

  @Test
  void absentValuesAreLeftOut() throws Exception {
    AccessLogEntry entry = new AccessLogEntry(0, "id", null, "1.2.3.4", "1.2.3.4", null, null, "-", null, "-", Set.of(),
        null, null, 408, -1, "REQUEST_TIMEOUT", "client", null, null, 0, 0, 0, -1, null, null, null, null, 0);

    JsonNode line = JSON.readTree(format(entry));
    assertThat(line.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("time", "request_id", "client_ip",
        "peer_ip", "method", "path", "status", "error_code", "error_source", "bytes_in", "bytes_out", "duration_ms", "attempts");
  }
}
