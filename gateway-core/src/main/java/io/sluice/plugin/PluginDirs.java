package io.sluice.plugin;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Where plugin jars are looked for: the distribution's {@code plugins/} folder and the
 * {@code plugin_dirs} of a config. The config's list is read before the config itself is
 * loaded, because binding the config needs the plugins those folders hold.
 */
public final class PluginDirs {

  private PluginDirs() {}

  /** {@code <sluice.home>/plugins} when the launcher set {@code sluice.home}, else nothing. */
  public static List<Path> distribution() {
    String home = System.getProperty("sluice.home");
    return home == null ? List.of() : List.of(Path.of(home, "plugins"));
  }

  /**
   * The {@code plugin_dirs} of {@code configFile}, resolved against its folder. A file that
   * cannot be read or parsed gives none: the config loader reports that properly.
   */
  public static List<Path> declaredIn(Path configFile) {
    Object document;
    try (Reader reader = Files.newBufferedReader(configFile)) {
      document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
    if (!(document instanceof Map<?, ?> root) || !(root.get("plugin_dirs") instanceof List<?> dirs)) {
      return List.of();
    }
    Path base = configFile.toAbsolutePath().getParent();
    List<Path> resolved = new ArrayList<>();
    for (Object dir : dirs) {
      if (dir instanceof String text && !text.isBlank()) {
        resolved.add(base.resolve(text).normalize());
      }
    }
    return resolved;
  }
}
