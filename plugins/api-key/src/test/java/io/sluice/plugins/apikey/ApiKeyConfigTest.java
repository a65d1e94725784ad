package io.sluice.plugins.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigException;
import io.sluice.testing.PluginConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The api_key config as an operator writes it: defaults, and a message naming the key for each mistake. */
class ApiKeyConfigTest {

  static final String SHA256_OF_TEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  static final PluginConfigs CONFIGS = PluginConfigs.of("api_key", ApiKeyConfig.class, Map.of("MOBILE_KEY", "k-mobile", "EMPTY", ""));

  static ApiKeyConfig valid(String entry) throws ConfigException {
    return CONFIGS.bind(entry);
  }

  static List<String> problems(String entry) {
    return CONFIGS.problems(entry);
  }

  @Test
  void defaultsReadTheHeaderXApiKeyAndStripIt() throws Exception {
    ApiKeyConfig config = valid("{ consumers: [ { name: app, keys: [\"${MOBILE_KEY}\"] } ] }");

    assertThat(config.keyFrom()).isEqualTo(ApiKeyConfig.KeyFrom.HEADER);
    assertThat(config.headerName()).isEqualTo("x-api-key");
    assertThat(config.stripKey()).isTrue();
    assertThat(config.forwardConsumerHeader()).isNull();
    assertThat(config.consumers().get(0).keys()).containsExactly("k-mobile");
    assertThat(config.consumers().get(0).roles()).isEmpty();
  }

  @Test
  void queryKeysDefaultToApiKeyAndAreNotStripped() throws Exception {
    ApiKeyConfig config = valid("{ key_from: query, consumers: [ { name: app, key_hashes: [" + SHA256_OF_TEST + "] } ] }");

    assertThat(config.queryParam()).isEqualTo("api_key");
    assertThat(config.stripKey()).isFalse();
  }

  @Test
  void consumersAreRequired() {
    assertThat(problems("{ header_name: x-key }")).containsExactly(
        "sluice.yaml:5:14 plugins[0].api_key: consumers: missing (expected: at least one consumer with a name and keys)");
  }

  @Test
  void aConsumerNeedsANameAndAKey() {
    assertThat(problems("{ consumers: [ { keys: [a] } ] }")).containsExactly(
        "sluice.yaml:5:29 plugins[0].api_key.consumers[0]: name: missing (expected: the consumer's name, such as mobile-app)");
    assertThat(problems("{ consumers: [ { name: app, roles: [admin] } ] }")).containsExactly(
        "sluice.yaml:5:29 plugins[0].api_key.consumers[0]: consumer 'app' has no keys "
            + "(expected: keys, key_hashes or both, with at least one key)");
  }

  @Test
  void namesAreUnique() {
    assertThat(problems("{ consumers: [ { name: app, keys: [a] }, { name: app, keys: [b] } ] }")).containsExactly(
        "sluice.yaml:5:14 plugins[0].api_key: consumers: the name 'app' is used twice (expected: unique names)");
  }

  @Test
  void aKeyOfTwoConsumersIsRefusedWithoutShowingIt() {
    // "test" once in plain text and once as its hash
    List<String> problems = problems("{ consumers: [ { name: a, keys: [test] }, { name: b, key_hashes: [" + SHA256_OF_TEST + "] } ] }");

    assertThat(problems).containsExactly("sluice.yaml:5:14 plugins[0].api_key: consumers: one key is given to 'a' and 'b' "
        + "(expected: each key identifies one consumer, once)");
  }

  @Test
  void badHashesAndEmptyKeysAreNamedByPosition() {
    assertThat(problems("{ consumers: [ { name: a, key_hashes: [abc123] } ] }")).containsExactly(
        "sluice.yaml:5:29 plugins[0].api_key.consumers[0]: key_hashes[0] of consumer 'a': 'abc123' "
            + "(expected: 64 hex digits, the SHA-256 of the key, as printed by `printf %s KEY | sha256sum`)");
    assertThat(problems("{ consumers: [ { name: a, keys: [ok, \"${EMPTY}\"] } ] }")).containsExactly(
        "sluice.yaml:5:29 plugins[0].api_key.consumers[0]: keys[1] of consumer 'a' is empty "
            + "(expected: a key; if it comes from ${NAME}, is that variable set to a value?)");
    assertThat(problems("{ consumers: [ { name: a, keys: [\"two words\"] } ] }")).containsExactly(
        "sluice.yaml:5:29 plugins[0].api_key.consumers[0]: keys[0] of consumer 'a' contains a space or control character "
            + "(expected: a key that can be sent in a header)");
  }

  @Test
  void anUnsetEnvironmentVariableIsReported() {
    assertThat(problems("{ consumers: [ { name: a, keys: [\"${NOT_SET}\"] } ] }")).singleElement().asString()
        .contains("environment variable 'NOT_SET' is not set");
  }

  @Test
  void keysOfTheOtherSourceAndImpossibleStrippingAreRefused() {
    assertThat(problems("{ key_from: query, header_name: x-key, consumers: [ { name: a, keys: [k] } ] }")).containsExactly(
        "sluice.yaml:5:14 plugins[0].api_key: header_name: only used with key_from: header "
            + "(expected: query_param, or key_from: header)");
    assertThat(problems("{ query_param: key, consumers: [ { name: a, keys: [k] } ] }")).containsExactly(
        "sluice.yaml:5:14 plugins[0].api_key: query_param: only used with key_from: query "
            + "(expected: header_name, or key_from: query)");
    assertThat(problems("{ key_from: query, strip_key: true, consumers: [ { name: a, keys: [k] } ] }")).containsExactly(
        "sluice.yaml:5:14 plugins[0].api_key: strip_key: true is not possible with key_from: query, because plugins cannot "
            + "change the query string yet (expected: strip_key: false, or key_from: header)");
  }

  @Test
  void headerNamesMustBeHeaderNamesAndDiffer() {
    assertThat(problems("{ header_name: \"x key\", consumers: [ { name: a, keys: [k] } ] }")).containsExactly(
        "sluice.yaml:5:14 plugins[0].api_key: header_name: 'x key' (expected: a header name such as x-api-key)");
    assertThat(problems("{ forward_consumer_header: X-Api-Key, consumers: [ { name: a, keys: [k] } ] }")).containsExactly(
        "sluice.yaml:5:14 plugins[0].api_key: forward_consumer_header: 'X-Api-Key' is also header_name "
            + "(expected: another header, so the key and the consumer name do not mix)");
  }
}
