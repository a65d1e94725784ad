package io.sluice.plugins.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Identity;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyTableTest {

  static final String SHA256_OF_TEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  final KeyTable table = KeyTable.of(List.of(
      new ApiKeyConfig.Consumer("first", List.of("k1", "k2"), List.of(), List.of("user")),
      new ApiKeyConfig.Consumer("middle", List.of(), List.of(SHA256_OF_TEST.toUpperCase()), List.of()),
      new ApiKeyConfig.Consumer("last", List.of("k3"), List.of(SHA256_OF_TEST.replace('9', 'a')), List.of("admin", "user"))));

  @Test
  void hashesAreSha256OfTheUtf8Key() {
    assertThat(java.util.HexFormat.of().formatHex(KeyTable.sha256("test"))).isEqualTo(SHA256_OF_TEST);
  }

  @Test
  void plainAndHashedKeysAreFoundWhereverTheyStand() {
    assertThat(table.size()).isEqualTo(5);
    assertThat(table.find("k1").consumer()).isEqualTo("first");
    assertThat(table.find("k2").consumer()).isEqualTo("first");
    assertThat(table.find("test").consumer()).as("upper-case hex is accepted").isEqualTo("middle");
    assertThat(table.find("k3").consumer()).as("the last entry").isEqualTo("last");
  }

  @Test
  void unknownKeysAndNearMissesAreNotFound() {
    assertThat(table.find("k4")).isNull();
    assertThat(table.find("K1")).isNull();
    assertThat(table.find("k1 ")).isNull();
    assertThat(table.find(SHA256_OF_TEST)).as("the hash is not the key").isNull();
  }

  @Test
  void theIdentityCarriesTheConsumersNameAndRoles() {
    assertThat(table.find("k3")).isEqualTo(new Identity("last", "last", Map.of(), Set.of("admin", "user"), "api_key"));
  }
}
