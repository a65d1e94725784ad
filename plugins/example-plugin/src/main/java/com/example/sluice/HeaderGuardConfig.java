package com.example.sluice;

import java.util.List;
import java.util.Locale;

/**
 * The YAML of {@code example_header_guard}, bound by the gateway before the plugin is created:
 *
 * {@snippet lang=yaml :
 * plugins:
 *   - example_header_guard:
 *       required_header: x-tenant           # required
 *       allowed_values: [acme, globex]      # optional; absent or empty: any value
 *       tag_header: x-example-tag           # optional; this is the default
 *       tag_value: edge-eu                  # optional; absent: the id of the matched route
 * }
 *
 * <p>Each YAML key is the snake_case form of a component ({@code required_header} binds
 * {@link #requiredHeader()}). A key the operator leaves out binds as {@code null}, or as an empty
 * list for a list. The compact constructor is where defaults are set and values are checked: an
 * {@link IllegalArgumentException} whose message starts with the key is shown to the operator
 * with file, line, column and path, for example
 * {@code sluice.yaml:14:9 routes[2].plugins[0].example_header_guard: required_header: missing (expected: a header name, e.g. x-tenant)}.
 * Checking here rather than in {@link HeaderGuardPluginFactory#create} means {@code sluice validate}
 * catches the mistake before the gateway runs it.
 *
 * @param requiredHeader the request header that must be present
 * @param allowedValues the values the header may have; empty means any value
 * @param tagHeader the request header set on what goes upstream (and echoed on the response)
 * @param tagValue the value of {@code tagHeader}, or {@code null} for the id of the matched route
 */
public record HeaderGuardConfig(String requiredHeader, List<String> allowedValues, String tagHeader, String tagValue) {

  /** The {@code tag_header} used when the operator does not choose one. */
  public static final String DEFAULT_TAG_HEADER = "x-example-tag";

  public HeaderGuardConfig {
    if (requiredHeader == null || requiredHeader.isBlank()) {
      throw new IllegalArgumentException("required_header: missing (expected: a header name, e.g. x-tenant)");
    }
    requiredHeader = headerName("required_header", requiredHeader);

    allowedValues = allowedValues == null ? List.of() : allowedValues;
    for (int i = 0; i < allowedValues.size(); i++) {
      if (allowedValues.get(i) == null || allowedValues.get(i).isBlank()) {
        throw new IllegalArgumentException("allowed_values[" + i + "]: empty (expected: a header value)");
      }
    }
    allowedValues = List.copyOf(allowedValues); // records hold immutable values: the instance is shared by threads

    tagHeader = tagHeader == null ? DEFAULT_TAG_HEADER : headerName("tag_header", tagHeader);
    if (tagHeader.equals(requiredHeader)) {
      throw new IllegalArgumentException(
          "tag_header: '" + tagHeader + "' (expected: a header other than required_header, which it would overwrite)");
    }

    if (tagValue != null && (tagValue.isBlank() || !isFieldValue(tagValue))) {
      throw new IllegalArgumentException(
          "tag_value: '" + tagValue + "' (expected: text without control characters, or no tag_value for the route id)");
    }
  }

  /** A header name in lower case; refused unless it is an HTTP token. */
  private static String headerName(String key, String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!token) {
        throw new IllegalArgumentException(
            key + ": '" + name + "' (expected: a header name of letters, digits and !#$%&'*+-.^_`|~)");
      }
    }
    return name.toLowerCase(Locale.ROOT);
  }

  /** Whether {@code value} can be sent as a header value: visible characters, spaces and tabs. */
  private static boolean isFieldValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }
}
