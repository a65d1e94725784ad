package io.sluice.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AttributeKeyTest {

  @Test
  void keysOfOfAreDistinctEvenWithOneName() {
    assertThat(AttributeKey.of("test.private", String.class)).isNotSameAs(AttributeKey.of("test.private", String.class));
  }

  @Test
  void sharedKeysAreOnePerNameAndRefuseAnotherType() {
    AttributeKey<String> tenant = AttributeKey.shared("test.tenant", String.class);

    assertThat(AttributeKey.shared("test.tenant", String.class)).isSameAs(tenant);
    assertThat(AttributeKey.shared("test.other", String.class)).isNotSameAs(tenant);
    assertThatThrownBy(() -> AttributeKey.shared("test.tenant", List.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attribute key 'test.tenant' is shared as java.lang.String, not as java.util.List");
  }
}
