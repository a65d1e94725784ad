package io.sluice.spi;

import java.util.Map;
import java.util.Objects;

/**
 * A rejection, as a value. The gateway renders it per protocol: as a JSON body for HTTP
 * ({@code {"error":{"code":..,"message":..},"request_id":..}}), as a trailers-only response
 * with {@code grpc-status} and {@code grpc-message} for gRPC.
 *
 * <p>{@link #message()} is shown to clients and must never contain secrets or stack traces;
 * {@link #details()} is for operators only (logs) and is never sent to clients.
 *
 * <p>An error is checked when it is made, like a {@link DirectResponse}: the status is 200..599,
 * and extra headers follow the same rules (names are tokens, values can be sent, connection and
 * framing headers are the gateway's), so a bad one fails in the plugin that made it.
 *
 * {@snippet :
 * GatewayError error = GatewayError.of(ErrorCode.FORBIDDEN, "Missing permission users:write")
 *     .withDetails("rbac.rule_denied route=users rule=1");
 * }
 *
 * @param code the stable error code
 * @param httpStatus the HTTP status sent to HTTP clients
 * @param message client-safe sentence
 * @param details operator-only detail for the access log, possibly empty
 * @param source who caused it
 * @param headers extra response headers (e.g. {@code Allow}, {@code Retry-After}), possibly empty
 * @param fields extra client-safe members of the JSON {@code "error"} object, in order: names are
 *     lower-case snake_case and not {@code code} or {@code message}, values are {@link String} or
 *     {@link Long}; possibly empty. gRPC callers do not get them (only {@code grpc-status},
 *     {@code grpc-message} and the headers).
 */
public record GatewayError(
    ErrorCode code, int httpStatus, String message, String details, Source source, Map<String, String> headers,
    Map<String, Object> fields) {

  /** @throws IllegalArgumentException when the status, a header or a field cannot be sent */
  public GatewayError {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(details, "details");
    Objects.requireNonNull(source, "source");
    if (httpStatus < 200 || httpStatus > 599) {
      throw new IllegalArgumentException("status " + httpStatus + " (expected: 200..599, a final response)");
    }
    headers = AnswerHeaders.checked(headers);
    fields = checkedFields(fields);
  }

  /** An error without extra fields. */
  public GatewayError(ErrorCode code, int httpStatus, String message, String details, Source source, Map<String, String> headers) {
    this(code, httpStatus, message, details, source, headers, Map.of());
  }

  /** Who caused an error: used for logs and metrics. */
  public enum Source {
    /** The request was wrong or not allowed. */
    CLIENT,
    /** The gateway itself failed or refused (limits, no route). */
    GATEWAY,
    /** The upstream failed, timed out or answered malformed. */
    UPSTREAM,
    /** A plugin failed. */
    PLUGIN
  }

  /** An error with the code's default HTTP status and source. */
  public static GatewayError of(ErrorCode code, String message) {
    return new GatewayError(code, code.httpStatus(), message, "", code.defaultSource(), Map.of(), Map.of());
  }

  /** The same error with a different HTTP status (e.g. 414 or 431 for {@link ErrorCode#BAD_REQUEST}). */
  public GatewayError withStatus(int status) {
    return new GatewayError(code, status, message, details, source, headers, fields);
  }

  /** The same error with operator-only details. */
  public GatewayError withDetails(String operatorDetails) {
    return new GatewayError(code, httpStatus, message, operatorDetails, source, headers, fields);
  }

  /**
   * The same error with one more response header.
   *
   * @throws IllegalArgumentException when the name is not a token, the value cannot be sent, or the
   *     header is one the gateway sets
   */
  public GatewayError withHeader(String name, String value) {
    Map<String, String> more = new java.util.LinkedHashMap<>(headers);
    more.put(name, value);
    return new GatewayError(code, httpStatus, message, details, source, more, fields);
  }

  /**
   * The same error with one more member of the JSON {@code "error"} object, a number.
   *
   * {@snippet :
   * GatewayError.of(ErrorCode.RATE_LIMIT_EXCEEDED, "Rate limit of 100 per minute exceeded").withField("retry_after", 12);
   * // {"error":{"code":"RATE_LIMIT_EXCEEDED","message":"...","retry_after":12},"request_id":"..."}
   * }
   *
   * @throws IllegalArgumentException when the name is not lower-case snake_case, or is {@code code} or {@code message}
   */
  public GatewayError withField(String name, long value) {
    return withFieldValue(name, value);
  }

  /**
   * The same error with one more member of the JSON {@code "error"} object, a string.
   *
   * @throws IllegalArgumentException when the name is not lower-case snake_case, or is {@code code} or {@code message}
   */
  public GatewayError withField(String name, String value) {
    return withFieldValue(name, Objects.requireNonNull(value, "value"));
  }

  private GatewayError withFieldValue(String name, Object value) {
    Map<String, Object> more = new java.util.LinkedHashMap<>(fields);
    more.put(name, value);
    return new GatewayError(code, httpStatus, message, details, source, headers, more);
  }

  private static Map<String, Object> checkedFields(Map<String, Object> fields) {
    if (fields == null) {
      throw new IllegalArgumentException("fields: null (expected: a map, possibly empty)");
    }
    if (fields.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> copy = new java.util.LinkedHashMap<>(fields);
    copy.forEach((name, value) -> {
      if (!isFieldName(name) || name.equals("code") || name.equals("message")) {
        throw new IllegalArgumentException("error field " + (name == null ? "null" : "'" + name + "'")
            + " (expected: a lower-case snake_case name other than code and message, such as retry_after)");
      }
      if (!(value instanceof String) && !(value instanceof Long)) {
        throw new IllegalArgumentException("error field '" + name + "' has a value of type "
            + (value == null ? "null" : value.getClass().getName()) + " (expected: String or Long)");
      }
    });
    return java.util.Collections.unmodifiableMap(copy);
  }

  private static boolean isFieldName(String name) {
    if (name == null || name.isEmpty() || name.charAt(0) < 'a' || name.charAt(0) > 'z') {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /** The same error attributed to another source. */
  public GatewayError withSource(Source newSource) {
    return new GatewayError(code, httpStatus, message, details, newSource, headers, fields);
  }

  /** The gRPC status code (numeric, as in {@code grpc-status}) matching {@link #code()}. */
  public int grpcStatus() {
    return code.grpcStatus();
  }
}
