package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.sluice.testing.HiddenPluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plugins:} lists and the binding of plugin configs to records. Snippets that start with
 * {@link #TOP} have their {@code plugins:} key on line 4 and its first item on line 5.
 */
class ConfigPluginsTest {

  static final String TOP = """
      server:
        listeners: [{ name: public, port: 8080 }]
      routes: []
      """;

  enum Algorithm { TOKEN_BUCKET, FIXED_WINDOW, slidingLog }

  record CorsConfig(List<String> allowOrigins, Set<String> allowMethods, Boolean allowCredentials, Duration maxAge) {
    CorsConfig {
      if (allowOrigins.isEmpty()) {
        throw new IllegalArgumentException("allow_origins: missing (expected: at least one origin)");
      }
      allowCredentials = allowCredentials != null && allowCredentials;
      maxAge = maxAge == null ? Duration.ofMinutes(10) : maxAge;
    }
  }

  /** Private, so that binding has to make its constructor accessible. */
  private record Store(String uri, Duration timeout, List<Duration> retryBackoff) {
    Store {
      if (uri == null) {
        throw new IllegalArgumentException("uri: missing (expected: a redis:// URI)");
      }
      timeout = timeout == null ? Duration.ofSeconds(1) : timeout;
    }
  }

  record RateLimitConfig(Algorithm algorithm, Integer capacity, int burst, double refillPerSecond, long maxKeys,
      Map<String, Integer> costs, Store store) {
    RateLimitConfig {
      algorithm = algorithm == null ? Algorithm.TOKEN_BUCKET : algorithm;
      capacity = capacity == null ? 100 : capacity;
      if (capacity <= 0) {
        throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
      }
    }
  }

  record NoConfig() {}

  record StrictConfig(String name) {
    StrictConfig {
      Objects.requireNonNull(name, "name");
    }
  }

  record OddConfig(Optional<String> value) {}

  static final PluginCatalog CATALOG = PluginCatalog.of(Map.of(
      "cors", CorsConfig.class,
      "rate_limit", RateLimitConfig.class,
      "request_id", NoConfig.class,
      "strict", StrictConfig.class,
      "odd", OddConfig.class));

  private static List<String> problems(String yaml) {
    return YamlSnippets.problems(yaml, CATALOG);
  }

  private static GatewayConfig valid(String yaml) throws ConfigException {
    return YamlSnippets.valid(yaml, CATALOG);
  }

  @Test
  void aWholeConfigBindsIntoTheRecords() throws Exception {
    GatewayConfig config = valid("""
        server:
          listeners: [{ name: public, port: 8080 }]
        upstreams:
          users: { endpoints: ["http://127.0.0.1:9001"] }
        plugins:
          - cors:
              allow_origins: ["https://app.example.com", "https://admin.example.com"]
              allow_methods: [POST, GET, DELETE]
              allow_credentials: true
              max_age: 1h
          - request_id:
        routes:
          - id: users
            match: { path: /api/** }
            upstream: users
            plugins:
              - rate_limit:
                  algorithm: sliding_log
                  capacity: 50
                  burst: 5
                  refill_per_second: 2.5
                  max_keys: 10000000000
                  costs: { GET: 1, POST: 5 }
                  store: { uri: "redis://127.0.0.1:6379", retry_backoff: [100ms, 1s] }
        """);

    CorsConfig cors = new CorsConfig(List.of("https://app.example.com", "https://admin.example.com"),
        Set.of("POST", "GET", "DELETE"), true, Duration.ofHours(1));
    assertThat(config.plugins()).containsExactly(
        new PluginUse("cors", cors, true, true, new SourcePosition("sluice.yaml", 6, 5), "plugins[0]"),
        new PluginUse("request_id", new NoConfig(), true, true, new SourcePosition("sluice.yaml", 11, 5), "plugins[1]"));
    RateLimitConfig rateLimit = new RateLimitConfig(Algorithm.slidingLog, 50, 5, 2.5, 10_000_000_000L, Map.of("GET", 1, "POST", 5),
        new Store("redis://127.0.0.1:6379", Duration.ofSeconds(1), List.of(Duration.ofMillis(100), Duration.ofSeconds(1))));
    assertThat(config.routes().get(0).plugins()).containsExactly(
        new PluginUse("rate_limit", rateLimit, true, true, new SourcePosition("sluice.yaml", 17, 9), "routes[0].plugins[0]"));
  }

  @Test
  void collectionsKeepYamlOrderAndCannotBeChanged() throws Exception {
    GatewayConfig config = valid(TOP + """
        plugins:
          - cors: { allow_origins: [b, a], allow_methods: [PUT, GET, POST, DELETE, PATCH, HEAD] }
          - rate_limit: { costs: { z: 1, a: 2 } }
        """);

    CorsConfig cors = (CorsConfig) config.plugins().get(0).config();
    assertThat(cors.allowMethods()).containsExactly("PUT", "GET", "POST", "DELETE", "PATCH", "HEAD");
    assertThat(cors.allowOrigins()).containsExactly("b", "a");
    Map<String, Integer> costs = ((RateLimitConfig) config.plugins().get(1).config()).costs();
    assertThat(costs.keySet()).containsExactly("z", "a");
    assertThatThrownBy(() -> cors.allowMethods().add("OPTIONS")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> cors.allowOrigins().add("c")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> costs.put("b", 3)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void absentKeysBindAsNullEmptyOrZeroSoThatTheRecordSetsItsDefaults() throws Exception {
    GatewayConfig config = valid(TOP + """
        plugins:
          - cors: { allow_origins: ["*"] }
          - rate_limit:
          - request_id: {}
        """);

    assertThat(config.plugins()).extracting(PluginUse::config).containsExactly(
        new CorsConfig(List.of("*"), Set.of(), false, Duration.ofMinutes(10)),
        new RateLimitConfig(Algorithm.TOKEN_BUCKET, 100, 0, 0.0, 0L, Map.of(), null),
        new NoConfig());
  }

  @Test
  void unknownPluginSuggestsTheClosestOrListsTheInstalledOnes() {
    assertThat(problems(TOP + """
        plugins:
          - corz: {}
          - jwt: { issuer: x }
        """)).containsExactly(
            "sluice.yaml:5:5 plugins[0]: unknown plugin 'corz' (did you mean 'cors'?)",
            "sluice.yaml:6:5 plugins[1]: unknown plugin 'jwt' (installed plugins: cors, odd, rate_limit, request_id, strict)");
  }

  @Test
  void withoutACatalogNoPluginIsInstalled() throws Exception {
    assertThat(YamlSnippets.problems(TOP + """
        plugins:
          - cors: {}
        """)).containsExactly("sluice.yaml:5:5 plugins[0]: unknown plugin 'cors' (no plugins are installed)");
    assertThat(YamlSnippets.valid(TOP + "plugins: []\nplugin_dirs: []\n").plugins()).isEmpty();
  }

  @Test
  void aPluginListedTwiceInOneListIsAMistake() throws Exception {
    assertThat(problems(TOP + """
        plugins:
          - request_id:
          - cors: { allow_origins: ["*"] }
          - request_id: {}
        """)).containsExactly("sluice.yaml:7:5 plugins[2]: duplicate plugin 'request_id' (first at line 5)");

    // once globally and once on a route is an override, not a duplicate
    GatewayConfig config = valid("""
        server:
          listeners: [{ name: public, port: 8080 }]
        plugins: [{ request_id: {} }]
        routes:
          - { id: a, match: { path: /a }, respond: { status: 200 }, plugins: [{ request_id: {} }] }
        """);
    assertThat(config.routes().get(0).plugins()).extracting(PluginUse::name).containsExactly("request_id");
  }

  @Test
  void eachListItemIsOnePluginNameWithItsConfig() {
    assertThat(problems(TOP + """
        plugins:
          - request_id
          - {}
          - cors:
            allow_origins: ["*"]
          - [cors]
          - cors: true
        """)).containsExactly(
            "sluice.yaml:5:5 plugins[0]: expected a plugin name with its config, such as '- cors: {}', found 'request_id'",
            "sluice.yaml:6:5 plugins[1]: empty list item (expected: a plugin name with its config, such as '- cors: {}')",
            "sluice.yaml:7:5 plugins[2]: one list item holds 2 keys: 'cors', 'allow_origins'"
                + " (expected: one plugin per item, such as '- cors: {}', its config indented under its name)",
            "sluice.yaml:9:5 plugins[3]: expected a plugin name with its config, such as '- cors: {}', found a list",
            "sluice.yaml:10:11 plugins[4].cors: expected a mapping, found 'true'");
  }

  @Test
  void pluginsIsAList() {
    assertThat(problems(TOP + """
        plugins:
          cors: {}
        """)).containsExactly("sluice.yaml:5:3 plugins: expected a list, found a mapping");
  }

  @Test
  void unknownKeysInAPluginConfigGetADidYouMean() {
    assertThat(problems(TOP + """
        plugins:
          - cors: { allow_origin: ["*"], credentials: true, enforced: false }
          - rate_limit: { store: { url: "redis://x" } }
        """)).containsExactly(
            "sluice.yaml:5:13 plugins[0].cors: unknown key 'allow_origin' (did you mean 'allow_origins'?)",
            "sluice.yaml:5:34 plugins[0].cors: unknown key 'credentials'"
                + " (expected one of: allow_origins, allow_methods, allow_credentials, max_age, enabled, enforce, timeout,"
                + " max_concurrent)",
            "sluice.yaml:5:53 plugins[0].cors: unknown key 'enforced' (did you mean 'enforce'?)",
            "sluice.yaml:6:28 plugins[1].rate_limit.store: unknown key 'url' (did you mean 'uri'?)");
  }

  @Test
  void valuesOfTheWrongTypeAreReportedWhereTheyAreWritten() {
    assertThat(problems(TOP + """
        plugins:
          - rate_limit:
              capacity: many
              burst: 1.5
              refill_per_second: 2d     # Java's own parser reads this as 2.0
              max_keys: 99999999999999999999
              algorithm: leaky
              costs: { GET: one }
              store: { uri: "redis://x", timeout: 10 }
          - cors:
              allow_origins: https://app.example.com
              allow_methods: [GET, POST, GET]
              allow_credentials: yes
              max_age: 1.5s
        """)).containsExactly(
            "sluice.yaml:6:17 plugins[0].rate_limit.capacity: 'many' (expected: an integer)",
            "sluice.yaml:7:14 plugins[0].rate_limit.burst: '1.5' (expected: an integer)",
            "sluice.yaml:8:26 plugins[0].rate_limit.refill_per_second: '2d' (expected: a number)",
            "sluice.yaml:9:17 plugins[0].rate_limit.max_keys: '99999999999999999999' (expected: an integer)",
            "sluice.yaml:10:18 plugins[0].rate_limit.algorithm: 'leaky' (expected one of: token_bucket, fixed_window, sliding_log)",
            "sluice.yaml:11:21 plugins[0].rate_limit.costs.GET: 'one' (expected: an integer)",
            "sluice.yaml:12:43 plugins[0].rate_limit.store.timeout: '10' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)",
            "sluice.yaml:14:22 plugins[1].cors.allow_origins: expected a list, found 'https://app.example.com'",
            "sluice.yaml:15:34 plugins[1].cors.allow_methods[2]: duplicate item (first at line 15)",
            "sluice.yaml:16:26 plugins[1].cors.allow_credentials: 'yes' (expected: true or false)",
            "sluice.yaml:17:16 plugins[1].cors.max_age: '1.5s' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)");
  }

  @Test
  void enumValuesAreSnakeCaseWithADidYouMean() throws Exception {
    assertThat(problems(TOP + """
        plugins:
          - rate_limit: { algorithm: token_buckt }
        """)).containsExactly("sluice.yaml:5:30 plugins[0].rate_limit.algorithm: 'token_buckt'"
            + " (did you mean 'token_bucket'? expected one of: token_bucket, fixed_window, sliding_log)");

    // the plain lower-case name is accepted too, also for a camelCase constant
    GatewayConfig config = valid(TOP + """
        plugins:
          - rate_limit: { algorithm: slidinglog }
        """);
    assertThat(((RateLimitConfig) config.plugins().get(0).config()).algorithm()).isEqualTo(Algorithm.slidingLog);
  }

  @Test
  void componentNamesBecomeSnakeCaseKeys() {
    assertThat(RecordBinder.keys(RateLimitConfig.class))
        .containsExactly("algorithm", "capacity", "burst", "refill_per_second", "max_keys", "costs", "store");
    assertThat(RecordBinder.snakeCase("maxURLLength")).isEqualTo("max_url_length");
    assertThat(RecordBinder.snakeCase("TOKEN_BUCKET")).isEqualTo("token_bucket");
    assertThat(RecordBinder.snakeCase("http2Port")).isEqualTo("http2_port");
  }

  record KeywordConfig(String default_, String package_) {}

  @Test
  void aTrailingUnderscoreLetsAComponentBeNamedAfterAJavaKeyword() throws ConfigException {
    assertThat(RecordBinder.keys(KeywordConfig.class)).containsExactly("default", "package");

    GatewayConfig config = ConfigLoader.parse(TOP + """
        plugins:
          - keywords: { default: deny, package: p }
        """, "sluice.yaml", name -> null, PluginCatalog.of(Map.of("keywords", KeywordConfig.class)));
    assertThat(config.plugins().get(0).config()).isEqualTo(new KeywordConfig("deny", "p"));
  }

  @Test
  void theRecordsOwnValidationIsReportedAtThePluginsMapping() {
    assertThat(problems(TOP + """
        plugins:
          - rate_limit:
              capacity: 0
          - cors: { enforce: false }
        """)).containsExactly(
            "sluice.yaml:6:7 plugins[0].rate_limit: capacity: 0 (expected: > 0)",
            "sluice.yaml:7:11 plugins[1].cors: allow_origins: missing (expected: at least one origin)");
  }

  @Test
  void aNestedRecordsValidationIsReportedAtItsMappingAndTheOuterRecordIsNotBuiltWithoutIt() {
    assertThat(problems(TOP + """
        plugins:
          - rate_limit:
              capacity: 0
              store: { timeout: 1s }
        """)).containsExactly("sluice.yaml:7:14 plugins[0].rate_limit.store: uri: missing (expected: a redis:// URI)");
  }

  @Test
  void otherExceptionsFromTheRecordAndUnsupportedTypesAreReported() {
    assertThat(problems(TOP + """
        plugins:
          - strict: {}
          - odd: { value: x }
        """)).containsExactly(
            "sluice.yaml:5:13 plugins[0].strict: plugin config could not be created: java.lang.NullPointerException: name",
            "sluice.yaml:6:19 plugins[1].odd.value: cannot be bound to java.util.Optional<java.lang.String> (a plugin config"
                + " supports String, boolean, int, long, double, Duration, an enum, a record, or a List, Set or Map<String, ?> of those)");
  }

  @Test
  void aRecordOutsideThisPackageThatIsNotPublicIsStillBuilt() throws Exception {
    GatewayConfig config = YamlSnippets.valid(TOP + """
        plugins:
          - hidden: { greeting: hi, times: 2 }
        """, PluginCatalog.of(Map.of("hidden", HiddenPluginConfig.type())));

    assertThat(config.plugins().get(0).config()).hasToString("Config[greeting=hi, times=2]");
  }

  @Test
  void environmentVariablesAreSubstitutedInPluginConfigs() throws Exception {
    Map<String, String> env = Map.of("ORIGIN", "https://app.example.com", "CAPACITY", "7");
    GatewayConfig config = ConfigLoader.parse(TOP + """
        plugins:
          - cors: { allow_origins: ["${ORIGIN}"], max_age: "${MAX_AGE:-30s}" }
          - rate_limit: { capacity: "${CAPACITY}" }
        """, "sluice.yaml", env::get, CATALOG);

    assertThat(config.plugins()).extracting(PluginUse::config).containsExactly(
        new CorsConfig(List.of("https://app.example.com"), Set.of(), false, Duration.ofSeconds(30)),
        new RateLimitConfig(null, 7, 0, 0.0, 0L, Map.of(), null));
    assertThat(YamlSnippets.problems(TOP + """
        plugins:
          - rate_limit: { store: { uri: "${REDIS_URI}" } }
        """, env::get, CATALOG)).containsExactly("sluice.yaml:5:33 plugins[0].rate_limit.store.uri: environment variable"
            + " 'REDIS_URI' is not set (set it, or give a default: ${REDIS_URI:-default})");
  }

  @Test
  void enabledAndEnforceAreReadByTheGatewayNotBound() throws Exception {
    GatewayConfig config = valid(TOP + """
        plugins:
          - cors: { allow_origins: ["*"], enforce: false }
          - rate_limit: { enabled: false, capacity: 3 }
          - request_id: { enabled: true, enforce: true }
        """);

    assertThat(config.plugins()).extracting(PluginUse::name, PluginUse::enabled, PluginUse::enforce).containsExactly(
        tuple("cors", true, false),
        tuple("rate_limit", false, true),
        tuple("request_id", true, true));
    assertThat(config.plugins().get(1).config()).isEqualTo(new RateLimitConfig(null, 3, 0, 0.0, 0L, Map.of(), null));
    assertThat(problems(TOP + """
        plugins:
          - request_id: { enabled: no }
        """)).containsExactly("sluice.yaml:5:28 plugins[0].request_id.enabled: 'no' (expected: true or false)");
  }

  record LookupConfig(String dsn) {}

  record ClashingConfig(String url, Duration timeout) {}

  static final PluginCatalog WITH_BLOCKING = PluginCatalog.of(Map.of(
      "cors", CorsConfig.class, "request_id", NoConfig.class, "lookup", LookupConfig.class, "clashing", ClashingConfig.class),
      Set.of("lookup"));

  @Test
  void timeoutAndMaxConcurrentAreReadByTheGatewayWithDefaults() throws Exception {
    GatewayConfig config = valid(TOP + """
        plugins:
          - cors: { allow_origins: ["*"], timeout: 250ms }
          - lookup: { dsn: "jdbc:x", timeout: 2s, max_concurrent: 16 }
          - request_id:
        """, WITH_BLOCKING);

    assertThat(config.plugins()).extracting(PluginUse::name, PluginUse::timeout, PluginUse::maxConcurrent).containsExactly(
        tuple("cors", Duration.ofMillis(250), 256),
        tuple("lookup", Duration.ofSeconds(2), 16),
        tuple("request_id", Duration.ofSeconds(10), 256));
    assertThat(config.plugins().get(1).config()).isEqualTo(new LookupConfig("jdbc:x"));
  }

  private static GatewayConfig valid(String yaml, PluginCatalog catalog) throws ConfigException {
    return YamlSnippets.valid(yaml, catalog);
  }

  @Test
  void timeoutAndMaxConcurrentMistakes() {
    assertThat(YamlSnippets.problems(TOP + """
        plugins:
          - cors: { allow_origins: ["*"], timeout: 0s, max_concurrent: 4 }
          - lookup: { max_concurrent: 0, timeout: soon }
          - request_id: { timeout: 2d }
        """, WITH_BLOCKING)).containsExactly(
            "sluice.yaml:5:44 plugins[0].cors.timeout: '0s' (expected: a duration greater than 0, such as 10s)",
            "sluice.yaml:5:64 plugins[0].cors.max_concurrent: applies to blocking plugins only ('cors' decides on the event"
                + " loop and holds no thread while it waits)",
            "sluice.yaml:6:31 plugins[1].lookup.max_concurrent: '0' (expected: a number of calls, at least 1)",
            "sluice.yaml:6:43 plugins[1].lookup.timeout: 'soon' (expected: a duration such as 250ms, 10s, 5m, 1h or 1d)",
            "sluice.yaml:7:28 plugins[2].request_id.timeout: '2d' (expected: a duration of at most 1d)");
  }

  @Test
  void aPluginWhoseConfigUsesAKeyTheGatewayReservesIsReported() {
    assertThat(YamlSnippets.problems(TOP + """
        plugins:
          - clashing: { url: "http://x", timeout: 1s }
        """, WITH_BLOCKING)).containsExactly("sluice.yaml:5:5 plugins[0]: plugin 'clashing' declares the config key"
            + " 'timeout', which the gateway reserves for every plugin (enabled, enforce, timeout, max_concurrent): the plugin"
            + " must rename it");
  }

  @Test
  void aRouteEntryWithOnlyTheGatewaysKeysKeepsTheGlobalConfigAndTheGlobalTimeout() throws Exception {
    GatewayConfig config = valid("""
        server:
          listeners: [{ name: public, port: 8080 }]
        plugins:
          - lookup: { dsn: "jdbc:x", timeout: 3s, max_concurrent: 8 }
        routes:
          - id: a
            match: { path: /a }
            respond: { status: 200 }
            plugins:
              - lookup: { timeout: 500ms }
          - id: b
            match: { path: /b }
            respond: { status: 200 }
            plugins:
              - lookup: { dsn: "jdbc:y" }
        """, WITH_BLOCKING);

    assertThat(config.routes().get(0).plugins()).extracting(PluginUse::config, PluginUse::timeout, PluginUse::maxConcurrent)
        .containsExactly(tuple(null, Duration.ofMillis(500), 8));
    // a config of its own replaces the global entry, the gateway's keys included
    assertThat(config.routes().get(1).plugins()).extracting(PluginUse::config, PluginUse::timeout, PluginUse::maxConcurrent)
        .containsExactly(tuple(new LookupConfig("jdbc:y"), Duration.ofSeconds(10), 256));
  }

  @Test
  void aRouteSwitchesAGlobalPluginWithoutRepeatingItsConfig() throws Exception {
    GatewayConfig config = valid("""
        server:
          listeners: [{ name: public, port: 8080 }]
        plugins:
          - cors: { allow_origins: ["*"], enforce: false }
          - rate_limit: { capacity: 10 }
        routes:
          - id: a
            match: { path: /a }
            respond: { status: 200 }
            plugins:
              - cors: { enabled: false }
              - rate_limit: { enforce: false }
              - request_id: { enabled: false }
          - id: b
            match: { path: /b }
            respond: { status: 200 }
            plugins:
              - cors: { allow_origins: ["https://b.example.com"] }
        """);

    List<PluginUse> a = config.routes().get(0).plugins();
    assertThat(a).extracting(PluginUse::name, PluginUse::config, PluginUse::enabled, PluginUse::enforce).containsExactly(
        // no config of its own: the global entry's config, with the switches written here and the global ones otherwise
        tuple("cors", null, false, false),
        tuple("rate_limit", null, true, false),
        // not in the global list: bound like an entry without keys
        tuple("request_id", new NoConfig(), false, true));
    assertThat(a.get(0).path()).isEqualTo("routes[0].plugins[0]");
    // a config of its own replaces the global entry for this route, switches included
    assertThat(config.routes().get(1).plugins()).containsExactly(new PluginUse("cors",
        new CorsConfig(List.of("https://b.example.com"), Set.of(), false, Duration.ofMinutes(10)), true, true,
        new SourcePosition("sluice.yaml", 18, 9), "routes[1].plugins[0]"));
  }

  @Test
  void aRouteEntryForAPluginThatIsNotGlobalNeedsAValidConfig() {
    assertThat(YamlSnippets.problems(YamlSnippets.HEADER + """
          - id: a
            match: { path: /a }
            upstream: users
            plugins:
              - cors: { enabled: false }
              - corz: {}
        """, CATALOG)).containsExactly(
            "sluice.yaml:11:15 routes[0].plugins[0].cors: allow_origins: missing (expected: at least one origin)",
            "sluice.yaml:12:9 routes[0].plugins[1]: unknown plugin 'corz' (did you mean 'cors'?)");
  }

  @Test
  void pluginDirsAreResolvedAgainstTheConfigFilesFolder() throws Exception {
    GatewayConfig config = ConfigLoader.parse(TOP + """
        plugin_dirs: [extra, ../shared/plugins/, /opt/sluice/plugins, "${HOME_DIR:-/srv}/jars"]
        """, "conf/sluice.yaml", YamlSnippets.NO_ENV, CATALOG);

    Path conf = Path.of("conf").toAbsolutePath();
    assertThat(config.pluginDirs()).containsExactly(
        conf.resolve("extra").toString(),
        conf.resolveSibling("shared").resolve("plugins").toString(),
        "/opt/sluice/plugins",
        "/srv/jars");
  }

  @Test
  void pluginDirsOfALoadedFileAreResolvedAgainstItsFolder(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("sluice.yaml"), TOP + "plugin_dirs: [./jars]\n");

    assertThat(ConfigLoader.load(file, CATALOG).pluginDirs()).containsExactly(dir.resolve("jars").toString());
  }

  @Test
  void pluginDirsMustBeDistinctFolderPaths() {
    assertThat(YamlSnippets.problems(TOP + """
        plugin_dirs:
          - /opt/plugins
          - /opt/x/../plugins
          - ""
          - { path: x }
        """)).containsExactly(
            "sluice.yaml:6:5 plugin_dirs[1]: duplicate plugin folder '/opt/plugins' (first at line 5)",
            "sluice.yaml:7:5 plugin_dirs[2]: '' (expected: a folder path)",
            "sluice.yaml:8:5 plugin_dirs[3]: expected a folder path, found a mapping");
  }
}
