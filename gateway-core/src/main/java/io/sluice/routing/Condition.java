package io.sluice.routing;

import io.netty.util.AsciiString;
import io.sluice.config.ValueMatch;
import java.util.List;

/**
 * A header or query condition of a compiled route. Header names are precomputed as
 * {@link AsciiString} because Netty's header maps look those up without rehashing.
 */
final class Condition {

  private final ValueMatch match;
  private final AsciiString headerName; // null for a query condition

  private Condition(ValueMatch match, AsciiString headerName) {
    this.match = match;
    this.headerName = headerName;
  }

  static Condition header(ValueMatch match) {
    return new Condition(match, AsciiString.cached(match.name()));
  }

  static Condition query(ValueMatch match) {
    return new Condition(match, null);
  }

  ValueMatch match() {
    return match;
  }

  boolean isHeader() {
    return headerName != null;
  }

  boolean holds(MatchInput input) {
    String first = headerName != null ? input.header(headerName) : input.queryParam(match.name());
    return switch (match.kind()) {
      case PRESENT -> first != null;
      case ABSENT -> first == null;
      case EXACT, REGEX -> first != null && (match.test(first) || anyOtherValueMatches(input));
    };
  }

  // Only reached when the first value failed, so single-valued requests never build a list.
  private boolean anyOtherValueMatches(MatchInput input) {
    List<String> values = headerName != null ? input.headerValues(headerName) : input.queryValues(match.name());
    for (int i = 1; i < values.size(); i++) {
      if (match.test(values.get(i))) {
        return true;
      }
    }
    return false;
  }

  /** For explanations: {@code header x-env = "canary"}, {@code query debug present}. */
  String describe() {
    String subject = (headerName != null ? "header " : "query ") + match.name();
    return switch (match.kind()) {
      case PRESENT -> subject + " present";
      case ABSENT -> subject + " absent";
      case EXACT -> subject + " = \"" + match.value() + "\"";
      case REGEX -> subject + " ~ /" + match.value() + "/";
    };
  }
}
