package io.sluice.config;

import io.sluice.spi.RedisSettings;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a {@code sluice.yaml} into a validated {@link GatewayConfig}, or reports every mistake
 * in it at once, each with file, line, column, path and what was expected.
 *
 * {@snippet :
 * try {
 *   GatewayConfig config = ConfigLoader.load(Path.of("conf/sluice.yaml"));
 * } catch (ConfigException e) {
 *   e.problems().forEach(System.err::println); // conf/sluice.yaml:14:11 routes[2].upstream: unknown upstream 'user' (did you mean 'users'?)
 * }
 * }
 *
 * <p>The YAML is composed into a node tree (which keeps every node's position) and bound by hand,
 * not by reflection, so that each value is checked where it was written. Plugin configs, whose
 * shape only the plugin knows, are bound to the plugin's record by the same node reads.
 */
public final class ConfigLoader {

  static final List<String> KEYS = List.of("server", "logging", "redis", "upstreams", "plugin_dirs", "plugins", "routes");

  private ConfigLoader() {}

  /** {@link #load(Path, PluginCatalog)} with no plugins installed. */
  public static GatewayConfig load(Path file) throws ConfigException, IOException {
    return load(file, PluginCatalog.NONE);
  }

  /**
   * Reads {@code file} (UTF-8), substituting {@code ${NAME}} from the process environment.
   * Messages name the file as given; relative {@code plugin_dirs} and certificate files are
   * resolved against its folder.
   *
   * @param catalog the installed plugins, whose config records {@code plugins:} entries bind to
   * @throws ConfigException with every mistake in the file, in document order
   * @throws IOException when the file cannot be read
   */
  public static GatewayConfig load(Path file, PluginCatalog catalog) throws ConfigException, IOException {
    return parse(Files.readString(file), file.toString(), System::getenv, catalog);
  }

  /** {@link #parse(String, String, Function, PluginCatalog)} with no plugins installed. */
  public static GatewayConfig parse(String yamlText, String fileName, Function<String, String> env) throws ConfigException {
    return parse(yamlText, fileName, env, PluginCatalog.NONE);
  }

  /**
   * Reads a config from text.
   *
   * @param fileName the name used in messages and in {@link GatewayConfig#source()}; relative
   *     {@code plugin_dirs} and certificate files are resolved against its folder
   * @param env returns an environment variable's value, or {@code null} when it is not set
   * @param catalog the installed plugins, whose config records {@code plugins:} entries bind to
   * @throws ConfigException with every mistake in the text, in document order
   */
  public static GatewayConfig parse(String yamlText, String fileName, Function<String, String> env, PluginCatalog catalog)
      throws ConfigException {
    Problems problems = new Problems(fileName);
    Node root = compose(yamlText, problems);
    if (root == null) {
      problems.throwIfAny();
      throw empty(problems);
    }
    YamlNode document = YamlNode.root(root, problems, env);
    if (document.isNull()) {
      throw empty(problems);
    }
    YamlMap top = document.map(KEYS);
    Path baseDir = folderOf(fileName);
    ServerConfig server = top.required("server").map(n -> ServerSectionReader.read(n, baseDir)).orElse(null);
    LoggingConfig logging = top.optional("logging").map(LoggingSectionReader::read).orElse(LoggingConfig.DEFAULTS);
    RedisSettings redis = top.optional("redis").map(RedisSectionReader::read).orElse(null);
    Map<String, UpstreamConfig> upstreams = top.optional("upstreams").map(n -> UpstreamSectionReader.read(n, baseDir)).orElse(Map.of());
    long maxBodyBytes = (server == null ? LimitsConfig.DEFAULTS : server.limits()).maxBodyBytes();
    List<String> pluginDirs = top.optional("plugin_dirs").map(n -> PluginSectionReader.dirs(n, baseDir)).orElse(List.of());
    PluginSectionReader pluginReader = PluginSectionReader.global(catalog);
    List<PluginUse> plugins = top.optional("plugins").map(pluginReader::read).orElse(List.of());
    PluginSectionReader routePlugins = pluginReader.forRoutes(plugins);
    List<RouteConfig> routes = top.required("routes")
        .map(n -> RouteSectionReader.read(n, upstreams, maxBodyBytes, routePlugins))
        .orElse(List.of());
    problems.throwIfAny();
    return new GatewayConfig(fileName, server, upstreams, routes, plugins, pluginDirs, redis, logging);
  }

  /** The folder of the config file, absolute; the working directory when the name is not a path. */
  private static Path folderOf(String fileName) {
    try {
      Path parent = Path.of(fileName).toAbsolutePath().getParent();
      return parent != null ? parent : Path.of("").toAbsolutePath();
    } catch (InvalidPathException e) {
      return Path.of("").toAbsolutePath();
    }
  }

  /** The node tree, or {@code null} for an empty document or a syntax error (reported). */
  private static Node compose(String yamlText, Problems problems) {
    try {
      return new Yaml(new LoaderOptions()).compose(new StringReader(yamlText));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      // SnakeYAML's context reads as the start of the sentence: "while parsing a flow node, expected ..."
      String context = e.getContext() == null ? "" : e.getContext() + ", ";
      problems.add(problems.position(mark), "", "invalid YAML: " + context + e.getProblem());
    } catch (YAMLException e) {
      problems.add(problems.position(null), "", "invalid YAML: " + e.getMessage());
    }
    return null;
  }

  private static ConfigException empty(Problems problems) {
    problems.add(problems.position(null), "", "the file is empty (expected: a mapping with the keys server and routes)");
    return new ConfigException(problems.inDocumentOrder());
  }
}
