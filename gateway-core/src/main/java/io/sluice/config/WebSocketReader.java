package io.sluice.config;

import io.sluice.spi.AllowedOrigins;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads a route's {@code websocket:}. */
final class WebSocketReader {

  static final List<String> KEYS = List.of("allowed_origins", "max_message_bytes", "idle_timeout", "message_rate");
  static final List<String> RATE_KEYS = List.of("limit", "window");

  private WebSocketReader() {}

  static WebSocketConfig read(YamlNode node) {
    if (node.isNull()) {
      return WebSocketConfig.DEFAULTS; // "websocket:" alone: the defaults
    }
    YamlMap ws = node.map(KEYS);
    WebSocketConfig d = WebSocketConfig.DEFAULTS;
    List<String> origins = ws.optional("allowed_origins").map(WebSocketReader::origins).orElse(List.of());
    long maxMessage = ws.optional("max_message_bytes").flatMap(n -> n.size(1, Integer.MAX_VALUE)).orElse(d.maxMessageBytes());
    Duration idle = ws.timeout("idle_timeout", d.idleTimeout());
    WebSocketConfig.MessageRate rate = ws.optional("message_rate").map(WebSocketReader::rate).orElse(null);
    return new WebSocketConfig(origins, maxMessage, idle, rate);
  }

  private static List<String> origins(YamlNode node) {
    List<String> out = new ArrayList<>();
    for (YamlNode item : node.nonEmptyList("origin, such as https://app.example.com")) {
      item.as("an origin", text -> AllowedOrigins.normalize("allowed_origins", text)).ifPresent(out::add);
    }
    if (out.contains(AllowedOrigins.ANY) && out.size() > 1) {
      node.problem("'*' allows every origin, so it must be the only entry (expected: '*' alone, or a list of origins)");
    }
    return out.contains(AllowedOrigins.ANY) ? List.of() : out;
  }

  private static WebSocketConfig.MessageRate rate(YamlNode node) {
    YamlMap rate = node.map(RATE_KEYS);
    int limit = rate.required("limit").flatMap(n -> n.integer(1, Integer.MAX_VALUE, "a number of messages, at least 1"))
        .orElse(1);
    Duration window = rate.required("window").flatMap(n -> n.duration(false)).orElse(Duration.ofSeconds(1));
    return new WebSocketConfig.MessageRate(limit, window);
  }
}
