package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Every YAML file in the repository's config-examples/ must load as it is shipped. */
class ConfigExamplesTest {

  private static final Path EXAMPLES = Path.of("..", "config-examples");

  static List<Path> examples() throws IOException {
    try (Stream<Path> files = Files.walk(EXAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void theExamplesAreFound() throws IOException {
    // guards against a moved directory silently turning the test below into zero cases
    assertThat(examples()).extracting(p -> p.getFileName().toString()).contains("quickstart.yaml", "full.yaml");
  }

  /**
   * Examples that use built-in plugins (which live in their own modules) are validated against
   * the built distribution by the packaging module's DistributionIT; here the rest, with the
   * plugins on this module's test class path.
   */
  @ParameterizedTest
  @MethodSource("examples")
  void loadsWithoutProblems(Path example) throws Exception {
    io.sluice.plugin.PluginRegistry plugins = io.sluice.plugin.PluginRegistry.builtIn();
    org.junit.jupiter.api.Assumptions.assumeTrue(pluginNames(example).stream().allMatch(n -> plugins.get(n) != null),
        "uses plugins from other modules: validated by DistributionIT");

    GatewayConfig config = ConfigLoader.load(example, plugins.catalog()); // a ConfigException lists every problem

    assertThat(config.routes()).isNotEmpty();
  }

  /** The plugin names a file's {@code plugins:} lists use. */
  private static Set<String> pluginNames(Path file) throws IOException {
    Set<String> names = new HashSet<>();
    try (Reader reader = Files.newBufferedReader(file)) {
      collectPluginNames(new Yaml().compose(reader), false, names);
    }
    return names;
  }

  private static void collectPluginNames(Node node, boolean inPlugins, Set<String> names) {
    if (node instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        if (inPlugins && tuple.getKeyNode() instanceof ScalarNode key) {
          names.add(key.getValue());
        }
        boolean plugins = tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals("plugins");
        collectPluginNames(tuple.getValueNode(), plugins, names);
      }
    } else if (node instanceof SequenceNode sequence) {
      sequence.getValue().forEach(item -> collectPluginNames(item, inPlugins, names));
    }
  }

  @Test
  void quickstartForwardsToTheDemoUpstream() throws Exception {
    GatewayConfig config = ConfigLoader.load(EXAMPLES.resolve("quickstart.yaml"));

    assertThat(config.server().listeners()).containsExactly(new ListenerConfig("public", "127.0.0.1", 8080, List.of("http1", "h2c")));
    assertThat(config.upstreams().get("demo").endpoints()).containsExactly(new Endpoint("http", "127.0.0.1", 8081));
    assertThat(config.routes()).extracting(RouteConfig::id).containsExactly("health", "demo-api", "maintenance");
  }

  @Test
  void fullExampleUsesEveryKey() throws Exception {
    Set<String> written = new HashSet<>();
    try (Reader reader = Files.newBufferedReader(EXAMPLES.resolve("full.yaml"))) {
      collectKeys(new Yaml().compose(reader), written);
    }
    Set<String> known = new HashSet<>();
    Stream.of(ConfigLoader.KEYS, ServerSectionReader.KEYS, ServerSectionReader.LISTENER_KEYS, ServerSectionReader.ADMIN_KEYS,
            ServerSectionReader.LIMIT_KEYS, UpstreamSectionReader.KEYS, UpstreamSectionReader.TIMEOUT_KEYS, RouteSectionReader.KEYS,
            RouteSectionReader.RESPOND_KEYS, MatchReader.KEYS, MatchReader.CONDITION_KEYS, RewriteReader.KEYS,
            RewriteReader.REPLACE_KEYS, HeaderOpsReader.KEYS, TlsSectionReader.KEYS, TlsSectionReader.SNI_KEYS,
            UpstreamTlsReader.KEYS, HealthCheckReader.KEYS, ServerSectionReader.ACCESS_LOG_KEYS, ServerSectionReader.TRACING_KEYS,
            LoggingSectionReader.KEYS, WebSocketReader.KEYS, WebSocketReader.RATE_KEYS, OutlierDetectionReader.KEYS,
            OutlierDetectionReader.FAILURE_PERCENTAGE_KEYS, OutlierDetectionReader.BUDGET_KEYS, RetryReader.KEYS,
            RetryReader.BACKOFF_KEYS, ServerSectionReader.OVERLOAD_KEYS, ServerSectionReader.MEMORY_THRESHOLD_KEYS,
            RouteSectionReader.SPLIT_KEYS, UpstreamSectionReader.ENDPOINT_KEYS, RouteSectionReader.MIRROR_KEYS)
        .forEach(known::addAll);

    // "respond" and "upstream" exclude each other per route, so the file shows them on different routes
    assertThat(written).containsAll(known);
  }

  private static void collectKeys(Node node, Set<String> keys) {
    if (node instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key) {
          keys.add(key.getValue());
        }
        collectKeys(tuple.getValueNode(), keys);
      }
    } else if (node instanceof SequenceNode sequence) {
      sequence.getValue().forEach(item -> collectKeys(item, keys));
    }
  }
}
