package io.sluice.plugin;

import io.sluice.config.PluginCatalog;
import io.sluice.spi.PluginApi;
import io.sluice.spi.PluginFactory;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The installed plugins: factories on the gateway's class path (built-in plugins) and in jars
 * in plugin folders, each jar in its own class loader whose parent exposes only the SPI.
 * Problems (a jar that cannot be loaded, declares no factory, or reuses a name) are collected,
 * each naming the jar, so {@code sluice validate} can report them all.
 */
public final class PluginRegistry {

  private static final System.Logger LOG = System.getLogger(PluginRegistry.class.getName());

  private final Map<String, InstalledPlugin> plugins;
  private final List<String> problems;

  private PluginRegistry(Map<String, InstalledPlugin> plugins, List<String> problems) {
    this.plugins = Collections.unmodifiableMap(plugins);
    this.problems = List.copyOf(problems);
  }

  /** Built-in plugins only. */
  public static PluginRegistry builtIn() {
    return discover(List.of());
  }

  /** Built-in plugins plus every {@code *.jar} in {@code folders} (missing folders are skipped). */
  public static PluginRegistry discover(List<Path> folders) {
    Map<String, InstalledPlugin> found = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    ClassLoader gateway = PluginRegistry.class.getClassLoader();
    for (PluginFactory<?> factory : load(ServiceLoader.load(PluginFactory.class, gateway), "built-in", problems)) {
      register(found, new InstalledPlugin(factory, "built-in"), problems);
    }
    SpiOnlyClassLoader parent = new SpiOnlyClassLoader(gateway);
    for (Path folder : folders) {
      for (Path jar : jars(folder, problems)) {
        URLClassLoader loader;
        try {
          loader = new URLClassLoader("plugin:" + jar.getFileName(), new URL[] {jar.toUri().toURL()}, parent);
        } catch (MalformedURLException e) {
          problems.add(jar + ": cannot be opened: " + e.getMessage());
          continue;
        }
        if (incompatibleApi(jar, problems) || usesGatewayInternals(jar, problems)) {
          continue;
        }
        int reported = problems.size();
        List<PluginFactory<?>> factories = load(ServiceLoader.load(PluginFactory.class, loader), jar.toString(), problems);
        if (factories.isEmpty() && problems.size() == reported) {
          problems.add(jar + ": declares no plugin (expected: a META-INF/services/io.sluice.spi.PluginFactory file naming its factory class)");
        }
        for (PluginFactory<?> factory : factories) {
          register(found, new InstalledPlugin(factory, jar.toString()), problems);
        }
      }
    }
    return new PluginRegistry(found, problems);
  }

  /** The plugin named {@code name}, or {@code null}. */
  public InstalledPlugin get(String name) {
    return plugins.get(name);
  }

  public Map<String, InstalledPlugin> plugins() {
    return plugins;
  }

  /** Problems found while loading, one sentence each, naming the jar. */
  public List<String> problems() {
    return problems;
  }

  /** Names, config types and which plugins block, for the config loader. */
  public PluginCatalog catalog() {
    Map<String, Class<? extends Record>> types = new LinkedHashMap<>();
    java.util.Set<String> blocking = new java.util.HashSet<>();
    plugins.forEach((name, plugin) -> {
      types.put(name, plugin.factory().configType());
      if (plugin.factory().blocking()) {
        blocking.add(name);
      }
    });
    return PluginCatalog.of(types, blocking);
  }

  private static List<PluginFactory<?>> load(ServiceLoader<PluginFactory> loader, String source, List<String> problems) {
    List<PluginFactory<?>> factories = new ArrayList<>();
    try {
      for (ServiceLoader.Provider<PluginFactory> provider : loader.stream().toList()) {
        try {
          PluginFactory<?> factory = provider.get();
          String name = factory.name();
          if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
            problems.add(source + ": plugin " + provider.type().getName() + " has the name '" + name
                + "' (expected: snake_case, e.g. rate_limit)");
            continue;
          }
          if (factory.configType() == null || !factory.configType().isRecord()) {
            problems.add(source + ": plugin '" + name + "' has no config record (configType() must return a record class)");
            continue;
          }
          List<String> unbindable = PluginCatalog.unbindable(factory.configType());
          if (!unbindable.isEmpty()) {
            problems.add(source + ": plugin '" + name + "' has config fields no YAML can set: " + String.join(", ", unbindable)
                + " (a plugin config supports " + PluginCatalog.SUPPORTED_TYPES + ")");
            continue;
          }
          factories.add(factory);
        } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
          problems.add(source + ": plugin " + provider.type().getName() + " cannot be created: " + describe(e));
        }
      }
    } catch (ServiceConfigurationError | LinkageError e) {
      problems.add(source + ": cannot load plugins: " + describe(e));
    }
    return factories;
  }

  /** Whether {@code jar} declares a plugin API version this gateway cannot run (reported); see {@link PluginApi}. */
  private static boolean incompatibleApi(Path jar, List<String> problems) {
    String declared;
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      declared = manifest == null ? null : manifest.getMainAttributes().getValue(PluginApi.MANIFEST_ATTRIBUTE);
    } catch (IOException e) {
      return false; // not a readable jar: the class loading that follows reports it
    }
    if (declared == null) {
      LOG.log(System.Logger.Level.WARNING, "{0} does not declare the plugin API version it was built for (manifest attribute {1});"
          + " loading it as {2}", jar, PluginApi.MANIFEST_ATTRIBUTE, PluginApi.version());
      return false;
    }
    String why = PluginApi.incompatibility(declared);
    if (why != null) {
      problems.add(jar + ": " + why);
      return true;
    }
    return false;
  }

  /**
   * Whether {@code jar} refers to gateway classes it cannot see (reported): it would fail with
   * {@code NoClassDefFoundError} at request time, so it is not installed at all.
   */
  private static boolean usesGatewayInternals(Path jar, List<String> problems) {
    List<GatewayInternalsCheck.Use> uses;
    try {
      uses = GatewayInternalsCheck.find(jar);
    } catch (IOException | RuntimeException e) {
      problems.add(jar + ": cannot be read: " + describe(e));
      return true;
    }
    if (uses.isEmpty()) {
      return false;
    }
    String listed = uses.stream().limit(3).map(use -> use.inJar() + " uses " + use.internal())
        .collect(java.util.stream.Collectors.joining("; "));
    problems.add(jar + ": refers to gateway classes outside io.sluice.spi, which plugins cannot see at run time: " + listed
        + (uses.size() > 3 ? " (and " + (uses.size() - 3) + " more)" : "")
        + " (expected: a plugin uses only io.sluice.spi of the gateway; copy what it needs, or ask for it in the SPI)");
    return true;
  }

  private static void register(Map<String, InstalledPlugin> found, InstalledPlugin plugin, List<String> problems) {
    InstalledPlugin earlier = found.putIfAbsent(plugin.name(), plugin);
    if (earlier != null) {
      problems.add(plugin.source() + ": declares plugin '" + plugin.name() + "', which " + earlier.source()
          + " already declares (plugin names must be unique)");
    }
  }

  private static List<Path> jars(Path folder, List<String> problems) {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    List<Path> jars = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, "*.jar")) {
      entries.forEach(jars::add);
    } catch (IOException e) {
      problems.add(folder + ": cannot list plugin jars: " + e.getMessage());
    }
    Collections.sort(jars);
    return jars;
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? e.toString() : e.getMessage() + " (" + root + ")";
  }
}
