package io.sluice.config;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads a route's {@code retry:}. */
final class RetryReader {

  static final List<String> KEYS = List.of("attempts", "on", "per_try_timeout", "backoff", "buffer_body");
  static final List<String> BACKOFF_KEYS = List.of("base", "max");

  private static final Map<String, RetryPolicy.Condition> CONDITIONS = UpstreamSectionReader.words(RetryPolicy.Condition.values());
  private static final String ON_EXPECTED = "connect_failure, reset, timeout, unavailable, gateway_error (502, 503 and 504),"
      + " or an HTTP status from 400 to 599";

  private RetryReader() {}

  static RetryPolicy read(YamlNode node) {
    YamlMap map = node.map(KEYS);
    int attempts = map.required("attempts")
        .flatMap(n -> n.integer(2, 10, "a number of attempts from 2 to 10 (the first one included)")).orElse(2);
    Set<RetryPolicy.Condition> on = EnumSet.noneOf(RetryPolicy.Condition.class);
    Set<Integer> statuses = new TreeSet<>();
    if (map.has("on")) {
      map.optional("on").ifPresent(n -> {
        for (YamlNode item : n.nonEmptyList("failure to retry on, such as connect_failure")) {
          item.as(ON_EXPECTED, text -> condition(text, on, statuses));
        }
      });
    } else {
      on.addAll(RetryPolicy.DEFAULT_ON);
    }
    Duration perTry = map.optional("per_try_timeout").flatMap(n -> n.duration(false)).orElse(null);
    Duration base = RetryPolicy.DEFAULT_BACKOFF_BASE;
    Duration max = RetryPolicy.DEFAULT_BACKOFF_MAX;
    if (map.has("backoff")) {
      YamlMap backoff = map.optional("backoff").map(n -> n.map(BACKOFF_KEYS)).orElse(null);
      if (backoff != null) {
        base = backoff.optional("base").flatMap(n -> n.duration(true)).orElse(base);
        Duration fallbackMax = base.multipliedBy(10);
        max = backoff.optional("max").flatMap(n -> n.duration(true)).orElse(fallbackMax);
        if (max.compareTo(base) < 0) {
          Duration written = base;
          backoff.optional("max").ifPresent(n -> n.problem("backoff max is shorter than backoff base"
              + " (expected: a duration of at least " + written.toMillis() + "ms)"));
        }
      }
    }
    long buffer = map.optional("buffer_body").flatMap(n -> n.size(0, Integer.MAX_VALUE))
        .orElse(RetryPolicy.DEFAULT_BUFFER_BODY_BYTES);
    return new RetryPolicy(attempts, on, statuses, perTry, base, max, buffer);
  }

  private static Object condition(String text, Set<RetryPolicy.Condition> on, Set<Integer> statuses) {
    RetryPolicy.Condition condition = CONDITIONS.get(text);
    if (condition != null) {
      on.add(condition);
      return condition;
    }
    if (text.equals("gateway_error")) {
      statuses.addAll(List.of(502, 503, 504));
      return text;
    }
    if (text.length() == 3 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      int status = Integer.parseInt(text);
      if (status >= 400 && status <= 599) {
        statuses.add(status);
        return status;
      }
    }
    Set<String> words = new TreeSet<>(CONDITIONS.keySet());
    words.add("gateway_error");
    String hint = DidYouMean.closest(text, words).map(w -> "did you mean '" + w + "'?").orElse("expected: " + ON_EXPECTED);
    throw new IllegalArgumentException("cannot retry on " + Messages.quote(text) + " (" + hint + ")");
  }
}
