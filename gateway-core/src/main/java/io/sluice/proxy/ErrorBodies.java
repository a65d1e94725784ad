package io.sluice.proxy;

import static io.sluice.logging.JsonText.appendString;

import io.sluice.spi.GatewayError;

/** Renders {@link GatewayError} as the JSON body clients get over HTTP. */
public final class ErrorBodies {

  private ErrorBodies() {}

  /**
   * {@code {"error":{"code":"NO_ROUTE","message":"..."},"request_id":"01J..."}} followed by a newline;
   * the error's {@link GatewayError#fields()} follow {@code message} inside {@code "error"}.
   */
  public static String json(GatewayError error, String requestId) {
    StringBuilder out = new StringBuilder(96 + error.message().length());
    out.append("{\"error\":{\"code\":\"").append(error.code().name()).append("\",\"message\":");
    appendString(out, error.message());
    if (!error.fields().isEmpty()) {
      error.fields().forEach((name, value) -> {
        out.append(",\"").append(name).append("\":"); // names are snake_case: nothing to escape
        if (value instanceof String text) {
          appendString(out, text);
        } else {
          out.append(value);
        }
      });
    }
    out.append("},\"request_id\":");
    appendString(out, requestId);
    return out.append("}\n").toString();
  }
}
