package io.sluice.spi;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response a plugin answers with instead of the upstream's.
 *
 * @param status the HTTP status, 100..599
 * @param headers header fields, in order
 * @param body the body (UTF-8), possibly empty
 */
public record DirectResponse(int status, Map<String, String> headers, String body) {

  public DirectResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status " + status + " (expected: 100..599)");
    }
    headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** An empty response with {@code status}. */
  public static DirectResponse of(int status) {
    return new DirectResponse(status, Map.of(), "");
  }

  /** The same response with one more header. */
  public DirectResponse withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new DirectResponse(status, more, body);
  }

  /** The same response with this body. */
  public DirectResponse withBody(String newBody) {
    return new DirectResponse(status, headers, newBody);
  }
}
