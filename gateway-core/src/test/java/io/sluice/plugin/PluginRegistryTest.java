package io.sluice.plugin;

import io.sluice.config.PluginCatalog;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Decision;
import io.sluice.spi.Exchange;
import io.sluice.spi.PluginApi;
import io.sluice.spi.Plugin;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin jars compiled and packaged by the test itself, loaded the way the gateway loads them. */
class PluginRegistryTest {

  @TempDir Path dir;

  static final String FACTORY = """
      package %1$s;
      import io.sluice.spi.*;
      public final class Factory implements PluginFactory<Factory.Config> {
        public record Config(String greeting) {}
        public String name() { return "%2$s"; }
        public Class<Config> configType() { return Config.class; }
        public Plugin create(Config config, PluginContext context) {
          return new Plugin() {
            public Decision onRequest(Exchange exchange) {
              // Whether gateway internals are visible from the jar: they must not be.
              String visible;
              try {
                Class.forName("io.sluice.proxy.ProxyExchange", false, Factory.class.getClassLoader());
                visible = "visible";
              } catch (ClassNotFoundException e) {
                visible = "hidden";
              }
              exchange.requestHeaders().set("x-internals", visible);
              return Decision.proceed();
            }
          };
        }
      }
      """;

  @Test
  void loadsEachJarInItsOwnClassLoaderThatSeesOnlyTheSpi() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    jar(plugins.resolve("greeter.jar"), "com.example.greeter", "greeter", true);

    PluginRegistry registry = PluginRegistry.discover(List.of(plugins));

    assertThat(registry.problems()).isEmpty();
    InstalledPlugin greeter = registry.get("greeter");
    assertThat(greeter.source()).isEqualTo(plugins.resolve("greeter.jar").toString());
    assertThat(greeter.factory().getClass().getClassLoader()).isNotSameAs(getClass().getClassLoader());
    assertThat(registry.catalog().configType("greeter")).isPresent();
    assertThat(registry.get("test_deny")).as("built-in (class path) plugins are found too").isNotNull();

    @SuppressWarnings({"unchecked", "rawtypes"})
    Plugin plugin = ((io.sluice.spi.PluginFactory) greeter.factory()).create(
        newRecord(greeter.factory().configType()), null);
    Map<String, String> headers = new java.util.HashMap<>();
    Decision decision = plugin.onRequest(FakeExchange.withHeaders(headers));
    assertThat(decision).isSameAs(Decision.proceed());
    assertThat(headers).containsEntry("x-internals", "hidden");
  }

  @Test
  void pluginsInTwoJarsShareAnAttributeThroughASharedKey() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    String body = "exchange.requestHeaders().set(\"x-internals\", visible);";
    jar(plugins.resolve("writer.jar"), "com.example.writer", "writer", true, FACTORY.replace(body,
        "exchange.attributes().put(AttributeKey.shared(\"acme.tenant\", String.class), \"acme\");"));
    jar(plugins.resolve("reader.jar"), "com.example.reader", "reader", true, FACTORY.replace(body,
        "exchange.requestHeaders().set(\"x-tenant\", String.valueOf("
            + "exchange.attributes().get(AttributeKey.shared(\"acme.tenant\", String.class))));"));

    PluginRegistry registry = PluginRegistry.discover(List.of(plugins));
    assertThat(registry.problems()).isEmpty();
    Plugin writer = create(registry.get("writer"));
    Plugin reader = create(registry.get("reader"));
    assertThat(writer.getClass().getClassLoader()).isNotSameAs(reader.getClass().getClassLoader());

    Map<String, String> headers = new java.util.HashMap<>();
    Exchange exchange = FakeExchange.withHeaders(headers);
    writer.onRequest(exchange);
    reader.onRequest(exchange);
    assertThat(headers).containsEntry("x-tenant", "acme");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Plugin create(InstalledPlugin installed) throws Exception {
    return ((io.sluice.spi.PluginFactory) installed.factory()).create(newRecord(installed.factory().configType()), null);
  }

  @Test
  void reportsEveryBrokenJarByPath() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    jar(plugins.resolve("a-one.jar"), "com.example.one", "same_name", true);
    jar(plugins.resolve("b-two.jar"), "com.example.two", "same_name", true);
    jar(plugins.resolve("c-no-services.jar"), "com.example.three", "three", false);
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(plugins.resolve("d-missing-class.jar")))) {
      out.putNextEntry(new JarEntry("META-INF/services/io.sluice.spi.PluginFactory"));
      out.write("com.example.Missing\n".getBytes(StandardCharsets.UTF_8));
    }
    Files.writeString(plugins.resolve("e-not-a-jar.jar"), "this is not a zip file");

    PluginRegistry registry = PluginRegistry.discover(List.of(plugins, dir.resolve("does-not-exist")));

    List<String> problems = registry.problems();
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(plugins.resolve("b-two.jar") + ": declares plugin 'same_name', which "
        + plugins.resolve("a-one.jar") + " already declares"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(plugins.resolve("c-no-services.jar") + ": declares no plugin"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(plugins.resolve("d-missing-class.jar") + ":")
        .contains("com.example.Missing"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(plugins.resolve("e-not-a-jar.jar") + ":"));
    assertThat(registry.get("same_name").source()).endsWith("a-one.jar");
  }

  @Test
  void aJarThatUsesGatewayInternalsIsRefusedWhenInstalledNotAtItsFirstRequest() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    String usesInternals = FACTORY.replace("exchange.requestHeaders().set(\"x-internals\", visible);",
        "exchange.requestHeaders().set(\"x-internals\", String.valueOf(io.sluice.routing.QueryString.parse(\"a=b\")));");
    jar(plugins.resolve("internal.jar"), "com.example.internal", "internal", true, usesInternals);
    jar(plugins.resolve("fine.jar"), "com.example.fine", "fine", true, FACTORY);

    PluginRegistry registry = PluginRegistry.discover(List.of(plugins));

    assertThat(registry.problems()).singleElement().asString()
        .startsWith(plugins.resolve("internal.jar") + ": refers to gateway classes outside io.sluice.spi, which plugins cannot"
            + " see at run time: com.example.internal.Factory$1 uses io.sluice.routing.QueryString")
        .endsWith("(expected: a plugin uses only io.sluice.spi of the gateway; copy what it needs, or ask for it in the SPI)");
    assertThat(registry.get("internal")).isNull();
    assertThat(registry.get("fine")).isNotNull();
  }

  @Test
  void aConfigRecordWithAFieldNoYamlCanSetIsRefusedWhenInstalled() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    String badConfig = FACTORY.replace("public record Config(String greeting) {}",
        "public record Config(String greeting, java.net.URI target, java.util.List<Inner> inner) {}\n"
            + "  public record Inner(java.util.Map<Integer, String> byNumber, int fine) {}");
    jar(plugins.resolve("bad-config.jar"), "com.example.badconfig", "bad_config", true, badConfig);

    PluginRegistry registry = PluginRegistry.discover(List.of(plugins));

    assertThat(registry.problems()).singleElement().asString().isEqualTo(plugins.resolve("bad-config.jar")
        + ": plugin 'bad_config' has config fields no YAML can set: com.example.badconfig.Factory$Config.target (java.net.URI),"
        + " com.example.badconfig.Factory$Inner.byNumber (java.util.Map<java.lang.Integer, java.lang.String>)"
        + " (a plugin config supports " + PluginCatalog.SUPPORTED_TYPES + ")");
    assertThat(registry.get("bad_config")).isNull();
  }

  @Test
  void aJarBuiltForAnotherPluginApiIsRefusedNamingTheJarAndOneWithoutTheAttributeLoads() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    jar(plugins.resolve("next-major.jar"), "com.example.major", "next_major", true, FACTORY, (PluginApi.MAJOR + 1) + ".0");
    jar(plugins.resolve("next-minor.jar"), "com.example.minor", "next_minor", true, FACTORY,
        PluginApi.MAJOR + "." + (PluginApi.MINOR + 1));
    jar(plugins.resolve("current.jar"), "com.example.current", "current", true, FACTORY, PluginApi.version());
    jar(plugins.resolve("undeclared.jar"), "com.example.undeclared", "undeclared", true, FACTORY, null);

    PluginRegistry registry = PluginRegistry.discover(List.of(plugins));

    assertThat(registry.problems()).containsExactly(
        plugins.resolve("next-major.jar") + ": " + PluginApi.incompatibility((PluginApi.MAJOR + 1) + ".0"),
        plugins.resolve("next-minor.jar") + ": " + PluginApi.incompatibility(PluginApi.MAJOR + "." + (PluginApi.MINOR + 1)));
    assertThat(registry.get("next_major")).isNull();
    assertThat(registry.get("next_minor")).isNull();
    assertThat(registry.get("current")).isNotNull();
    assertThat(registry.get("undeclared")).isNotNull();
  }

  private static Record newRecord(Class<? extends Record> type) throws Exception {
    var components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    Object[] values = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
    }
    var constructor = type.getDeclaredConstructor(types);
    constructor.setAccessible(true);
    return constructor.newInstance(values);
  }

  /** Compiles {@code FACTORY} in {@code pkg} against the SPI and packages it as a plugin jar. */
  private void jar(Path jar, String pkg, String name, boolean withServiceFile) throws IOException {
    jar(jar, pkg, name, withServiceFile, FACTORY);
  }

  /** Compiles {@code factorySource} (with {@code %1$s} the package and {@code %2$s} the name) as a plugin jar. */
  private void jar(Path jar, String pkg, String name, boolean withServiceFile, String factorySource) throws IOException {
    jar(jar, pkg, name, withServiceFile, factorySource, null);
  }

  /** Like {@link #jar(Path, String, String, boolean, String)}, declaring {@code apiVersion} in the manifest unless null. */
  private void jar(Path jar, String pkg, String name, boolean withServiceFile, String factorySource, String apiVersion)
      throws IOException {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    Path classes = Files.createDirectories(dir.resolve("classes-" + jar.getFileName()));
    try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      files.setLocation(StandardLocation.CLASS_OUTPUT, List.of(classes.toFile()));
      JavaFileObject source = new SimpleJavaFileObject(URI.create("string:///" + pkg.replace('.', '/') + "/Factory.java"),
          JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return factorySource.formatted(pkg, name);
        }
      };
      List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "--release", "21");
      assertThat(compiler.getTask(null, files, null, options, null, List.of(source)).call()).isTrue();
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (apiVersion != null) {
      manifest.getMainAttributes().putValue(PluginApi.MANIFEST_ATTRIBUTE, apiVersion);
    }
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
      List<Path> compiled = new ArrayList<>();
      try (var walk = Files.walk(classes)) {
        walk.filter(Files::isRegularFile).forEach(compiled::add);
      }
      for (Path file : compiled) {
        out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, out);
      }
      if (withServiceFile) {
        out.putNextEntry(new JarEntry("META-INF/services/io.sluice.spi.PluginFactory"));
        out.write((pkg + ".Factory\n").getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  /** Just enough of an exchange for a plugin's onRequest. */
  static final class FakeExchange {
    static Exchange withHeaders(Map<String, String> headers) {
      io.sluice.spi.Headers view = new io.sluice.spi.Headers() {
        public String get(String n) { return headers.get(n); }
        public List<String> getAll(String n) { return headers.containsKey(n) ? List.of(headers.get(n)) : List.of(); }
        public boolean contains(String n) { return headers.containsKey(n); }
        public io.sluice.spi.Headers set(String n, String v) { headers.put(n, v); return this; }
        public io.sluice.spi.Headers add(String n, String v) { headers.put(n, v); return this; }
        public io.sluice.spi.Headers remove(String n) { headers.remove(n); return this; }
        public java.util.Set<String> names() { return headers.keySet(); }
      };
      Map<io.sluice.spi.AttributeKey<?>, Object> values = new java.util.HashMap<>();
      io.sluice.spi.Attributes attributes = new io.sluice.spi.Attributes() {
        public <T> T get(io.sluice.spi.AttributeKey<T> key) { return key.type().cast(values.get(key)); }
        public <T> void put(io.sluice.spi.AttributeKey<T> key, T value) { values.put(key, value); }
      };
      return (Exchange) java.lang.reflect.Proxy.newProxyInstance(Exchange.class.getClassLoader(), new Class<?>[] {Exchange.class},
          (proxy, method, args) -> switch (method.getName()) {
            case "requestHeaders" -> view;
            case "attributes" -> attributes;
            default -> null;
          });
    }
  }
}
