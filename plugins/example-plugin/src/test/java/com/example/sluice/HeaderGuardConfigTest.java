package com.example.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The config record as the gateway's binder calls it: {@code null} for a key the operator left
 * out, an empty list for an absent list. The messages are what the operator reads after
 * {@code file:line:column path:}.
 */
class HeaderGuardConfigTest {

  @Test
  void absentOptionalKeysGetTheirDefaults() {
    HeaderGuardConfig config = new HeaderGuardConfig("X-Tenant", List.of(), null, null);

    assertThat(config.requiredHeader()).isEqualTo("x-tenant");
    assertThat(config.allowedValues()).isEmpty();
    assertThat(config.tagHeader()).isEqualTo("x-example-tag");
    assertThat(config.tagValue()).isNull();
  }

  @Test
  void missingRequiredHeaderNamesTheKeyAndWhatIsExpected() {
    assertThatThrownBy(() -> new HeaderGuardConfig(null, List.of(), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("required_header: missing (expected: a header name, e.g. x-tenant)");
    assertThatThrownBy(() -> new HeaderGuardConfig("  ", List.of(), null, null))
        .hasMessage("required_header: missing (expected: a header name, e.g. x-tenant)");
  }

  @Test
  void headerNamesMustBeTokens() {
    assertThatThrownBy(() -> new HeaderGuardConfig("x tenant", List.of(), null, null))
        .hasMessage("required_header: 'x tenant' (expected: a header name of letters, digits and !#$%&'*+-.^_`|~)");
    assertThatThrownBy(() -> new HeaderGuardConfig("x-tenant", List.of(), "x-tag:", null))
        .hasMessageStartingWith("tag_header: 'x-tag:' (expected: a header name");
  }

  @Test
  void tagHeaderMayNotOverwriteTheRequiredHeader() {
    assertThatThrownBy(() -> new HeaderGuardConfig("x-tenant", List.of(), "X-Tenant", null))
        .hasMessage("tag_header: 'x-tenant' (expected: a header other than required_header, which it would overwrite)");
  }

  @Test
  void allowedValuesAreCopiedAndMayNotBeEmptyOrNull() {
    List<String> values = new java.util.ArrayList<>(List.of("acme"));
    HeaderGuardConfig config = new HeaderGuardConfig("x-tenant", values, null, null);
    values.add("globex");

    assertThat(config.allowedValues()).containsExactly("acme");
    assertThatThrownBy(() -> new HeaderGuardConfig("x-tenant", List.of("acme", " "), null, null))
        .hasMessage("allowed_values[1]: empty (expected: a header value)");
    assertThatThrownBy(() -> new HeaderGuardConfig("x-tenant", Arrays.asList("acme", null), null, null))
        .hasMessage("allowed_values[1]: empty (expected: a header value)");
  }

  @Test
  void tagValueMustBeSendableAsAHeaderValue() {
    assertThatThrownBy(() -> new HeaderGuardConfig("x-tenant", List.of(), null, "a\r\nx-injected: 1"))
        .hasMessageStartingWith("tag_value: ")
        .hasMessageEndingWith("(expected: text without control characters, or no tag_value for the route id)");
    assertThatThrownBy(() -> new HeaderGuardConfig("x-tenant", List.of(), null, ""))
        .hasMessageStartingWith("tag_value: ''");
    assertThat(new HeaderGuardConfig("x-tenant", List.of(), null, "edge eu\t1").tagValue()).isEqualTo("edge eu\t1");
  }
}
