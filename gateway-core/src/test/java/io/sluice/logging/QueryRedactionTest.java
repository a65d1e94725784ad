package io.sluice.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class QueryRedactionTest {

  private static final Set<String> SECRETS = Set.of("api_key", "access_token", "k");

  @Test
  void valuesOfSecretParametersAreReplacedAndTheRestIsKept() {
    assertThat(QueryRedaction.redact("/a?api_key=s3cr3t", SECRETS)).isEqualTo("/a?api_key=REDACTED");
    assertThat(QueryRedaction.redact("/a?x=1&api_key=s3cr3t&y=2", SECRETS)).isEqualTo("/a?x=1&api_key=REDACTED&y=2");
    assertThat(QueryRedaction.redact("/a?k=1&k=2&kk=3", SECRETS)).isEqualTo("/a?k=REDACTED&k=REDACTED&kk=3");
    assertThat(QueryRedaction.redact("/a?access_token=t&&api_key=u", SECRETS)).isEqualTo("/a?access_token=REDACTED&&api_key=REDACTED");
  }

  @Test
  void targetsWithoutSecretsAreTheSameString() {
    String target = "/a?x=1&api_keys=2&y";
    assertThat(QueryRedaction.redact(target, SECRETS)).isSameAs(target);
    assertThat(QueryRedaction.redact("/api_key=1", SECRETS)).isEqualTo("/api_key=1");
    assertThat(QueryRedaction.redact("/a?api_key=", SECRETS)).isEqualTo("/a?api_key=");
    assertThat(QueryRedaction.redact("/a?api_key", SECRETS)).isEqualTo("/a?api_key");
    assertThat(QueryRedaction.redact("/a?api_key=1", Set.of())).isEqualTo("/a?api_key=1");
  }
}
