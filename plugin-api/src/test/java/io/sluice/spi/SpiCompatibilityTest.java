package io.sluice.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Binary compatibility of the SPI with the published version, {@value #SNAPSHOT}: every public type,
 * constructor, method and field listed there still exists with the same erased signature, and no
 * interface listed there gained an abstract method (plugins and their test doubles implement them;
 * such a method must come with a default). New types and members are free: a minor version adds them.
 *
 * <p>After a release, write the new version's list with {@code -Dsluice.spi.snapshot.write=DIR} (the
 * test then writes {@code DIR/api-MAJOR.MINOR.txt} instead of checking) and point {@link #SNAPSHOT} at it.
 */
class SpiCompatibilityTest {

  static final String SNAPSHOT = "api-1.0.txt";

  @Test
  void everythingThePublishedSpiHadIsStillThereAndNoListedInterfaceGainedAnAbstractMethod() throws Exception {
    Set<String> current = currentApi();
    String target = System.getProperty("sluice.spi.snapshot.write");
    if (target != null) {
      Path file = Path.of(target).resolve("api-" + PluginApi.version() + ".txt");
      Files.write(file, current, StandardCharsets.UTF_8);
      return;
    }
    List<String> published;
    try (InputStream in = SpiCompatibilityTest.class.getResourceAsStream(SNAPSHOT)) {
      assertThat(in).as("the published SPI list " + SNAPSHOT).isNotNull();
      published = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(line -> !line.isBlank()).toList();
    }

    // an abstract method that became a default one is still there for callers and implementors
    Set<String> currentLoose = current.stream().map(SpiCompatibilityTest::loose).collect(Collectors.toSet());
    List<String> missing = published.stream().filter(line -> !currentLoose.contains(loose(line))).toList();
    Set<String> interfaces = published.stream().filter(line -> line.startsWith("interface "))
        .map(line -> line.substring("interface ".length())).collect(Collectors.toSet());
    List<String> newAbstract = current.stream()
        .filter(line -> line.contains(" abstract method ") && !published.contains(line))
        .filter(line -> interfaces.contains(line.substring(0, line.indexOf(' '))))
        .toList();

    assertThat(missing).as("removed or changed since " + SNAPSHOT + " (a binary break: plugins built against it fail)")
        .isEmpty();
    assertThat(newAbstract).as("abstract methods added to interfaces of " + SNAPSHOT + " (give them a default)").isEmpty();
  }

  private static String loose(String line) {
    return line.replace(" abstract method ", " method ").replace(" default method ", " method ");
  }

  /** One line per public type and member of io.sluice.spi, with erased signatures. */
  static Set<String> currentApi() throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = Path.of(PluginApi.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path folder = root.resolve("io/sluice/spi");
    List<String> names;
    try (Stream<Path> files = Files.list(folder)) {
      names = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".class"))
          .map(n -> "io.sluice.spi." + n.substring(0, n.length() - ".class".length())).sorted().toList();
    }
    Set<String> lines = new TreeSet<>();
    for (String name : names) {
      Class<?> type = Class.forName(name, false, PluginApi.class.getClassLoader());
      if (isVisible(type)) {
        describe(type, lines);
      }
    }
    return lines;
  }

  private static boolean isVisible(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
      if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isSynthetic()) {
        return false;
      }
    }
    return true;
  }

  private static void describe(Class<?> type, Set<String> lines) {
    String name = type.getName();
    String kind = type.isAnnotation() ? "annotation" : type.isInterface() ? "interface" : type.isEnum() ? "enum"
        : type.isRecord() ? "record" : Modifier.isFinal(type.getModifiers()) ? "final class" : "class";
    lines.add(kind + " " + name);
    if (type.getSuperclass() != null && type.getSuperclass() != Object.class && !type.isEnum() && !type.isRecord()) {
      lines.add(name + " extends " + type.getSuperclass().getName());
    }
    for (Class<?> implemented : type.getInterfaces()) {
      lines.add(name + " implements " + implemented.getName());
    }
    boolean extendable = !Modifier.isFinal(type.getModifiers()) || type.isInterface();
    for (Constructor<?> constructor : type.getDeclaredConstructors()) {
      if (visible(constructor.getModifiers(), extendable)) {
        lines.add(name + " constructor (" + params(constructor.getParameterTypes()) + ")");
      }
    }
    for (Method method : type.getDeclaredMethods()) {
      if (method.isSynthetic() || method.isBridge() || !visible(method.getModifiers(), extendable)) {
        continue;
      }
      int modifiers = method.getModifiers();
      String how = Modifier.isStatic(modifiers) ? "static" : Modifier.isAbstract(modifiers) ? "abstract"
          : type.isInterface() ? "default" : "instance";
      lines.add(name + " " + how + " method " + method.getReturnType().getName() + " " + method.getName()
          + "(" + params(method.getParameterTypes()) + ")");
    }
    for (Field field : type.getDeclaredFields()) {
      if (!field.isSynthetic() && visible(field.getModifiers(), extendable)) {
        lines.add(name + (Modifier.isStatic(field.getModifiers()) ? " static" : "") + " field " + field.getType().getName()
            + " " + field.getName());
      }
    }
  }

  private static boolean visible(int modifiers, boolean extendable) {
    return Modifier.isPublic(modifiers) || extendable && Modifier.isProtected(modifiers);
  }

  private static String params(Class<?>[] types) {
    List<String> names = new ArrayList<>();
    Arrays.stream(types).forEach(t -> names.add(t.getName()));
    return String.join(", ", names);
  }
}
