package io.sluice.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built distribution, used the way an operator uses it: files on disk, and {@code bin/sluice}
 * started as a real process. Runs in {@code verify}, after {@code package} has assembled
 * {@code target/sluice/} and the tarball (paths come from the failsafe configuration).
 */
class DistributionIT {

  private static final Path DIST = Path.of(System.getProperty("sluice.dist"));
  private static final Path TARBALL = Path.of(System.getProperty("sluice.tarball"));
  private static final Path QUICKSTART = Path.of(System.getProperty("sluice.quickstart"));
  private static final String VERSION = System.getProperty("sluice.version");
  /** The JDK running this test: 21+, since the build enforces it. */
  private static final Path THIS_JDK = Path.of(System.getProperty("java.home"));
  private static final Path JDK_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

  @Test
  void layoutHasLauncherLibrariesPluginFolderConfigAndServiceUnit() throws IOException {
    assertThat(DIST.resolve("bin/sluice")).isRegularFile().isExecutable();
    assertThat(fileNames(DIST.resolve("lib")))
        .contains("gateway-core-" + VERSION + ".jar", "sluice-plugin-cors-" + VERSION + ".jar",
            "sluice-plugin-rate-limit-" + VERSION + ".jar", "sluice-plugin-circuit-breaker-" + VERSION + ".jar",
            "sluice-plugin-cache-" + VERSION + ".jar")
        .anyMatch(name -> name.startsWith("netty-codec-http-"))
        .anyMatch(name -> name.matches("netty-transport-native-epoll-.*-linux-x86_64\\.jar"))
        .allMatch(name -> name.endsWith(".jar"));
    assertThat(DIST.resolve("plugins")).isDirectory();
    assertThat(fileNames(DIST.resolve("plugins"))).containsExactly("README.txt");
    assertThat(DIST.resolve("share/systemd/sluice.service")).content().contains("ExecStart=/opt/sluice/bin/sluice run");
    assertThat(DIST.resolve("share/grafana/sluice-dashboard.json")).content().contains("sluice_requests_total");
    assertThat(DIST.resolve("LICENSE")).content().contains("Apache License", "Version 2.0, January 2004");
    assertThat(DIST.resolve("README.md")).isRegularFile();
    assertThat(DIST.resolve("docs/plugins/cors.md")).isRegularFile();
    assertThat(DIST.resolve("docs/plugins/rate-limit.md")).isRegularFile();
    assertThat(DIST.resolve("docs/plugins/circuit-breaker.md")).isRegularFile();
    assertThat(DIST.resolve("docs/plugins/cache.md")).isRegularFile();
  }

  @Test
  void shippedConfigIsTheQuickstartExample() {
    assertThat(DIST.resolve("conf/sluice.yaml")).hasSameBinaryContentAs(QUICKSTART);
  }

  @Test
  void operationsGuideShowsTheShippedServiceUnit() throws IOException {
    List<String> shipped = Files.readAllLines(DIST.resolve("share/systemd/sluice.service")).stream()
        .filter(line -> !line.isBlank() && !line.startsWith("#"))
        .toList();
    String guide = Files.readString(DIST.resolve("docs/operations.md"));
    int start = guide.indexOf("```ini\n[Unit]\n");
    assertThat(start).as("a ```ini block with the unit in docs/operations.md").isNotNegative();
    int end = guide.indexOf("```", start + 6);
    List<String> documented = guide.substring(start + 7, end).lines().filter(line -> !line.isBlank()).toList();

    assertThat(documented).isEqualTo(shipped);
  }

  @Test
  void versionPrintsNameAndProjectVersion() {
    Run run = sluice(Map.of(), "--version");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stdout()).contains("sluice " + VERSION);
  }

  @Test
  void validateAcceptsTheShippedConfig() {
    Run run = sluice(Map.of(), "validate", "conf/sluice.yaml");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stdout()).contains("sluice.yaml: OK");
  }

  @Test
  void validateAcceptsEveryConfigExampleWithTheShippedPlugins() throws IOException {
    List<String> examples;
    try (var files = Files.list(Path.of("..", "config-examples"))) {
      examples = files.filter(f -> f.toString().endsWith(".yaml")).map(f -> f.toAbsolutePath().normalize().toString())
          .sorted().toList();
    }
    assertThat(examples).isNotEmpty();
    List<String> args = new ArrayList<>(List.of("validate"));
    args.addAll(examples);
    // Examples take secrets from the environment (${NAME}, no default): give each its own dummy
    // that is valid wherever a secret goes (64 hex digits: a SHA-256 hash, a long enough HMAC key).
    Map<String, String> secrets = new HashMap<>();
    java.util.regex.Pattern variable = java.util.regex.Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    for (String example : examples) {
      variable.matcher(Files.readString(Path.of(example))).results()
          .forEach(m -> secrets.put(m.group(1), sha256Hex(m.group(1))));
    }

    Run run = sluice(secrets, args.toArray(String[]::new));

    assertThat(run.exitCode()).as(run.toString()).isZero();
    for (String example : examples) {
      assertThat(run.stdout()).contains(example + ": OK");
    }
  }

  @Test
  void noCommandPrintsHelp() {
    Run bare = sluice(Map.of());
    Run help = sluice(Map.of(), "--help");

    assertThat(help.exitCode()).as(help.toString()).isZero();
    assertThat(help.stdout()).isNotBlank();
    assertThat(bare.exitCode()).as(bare.toString()).isZero();
    assertThat(bare.stdout()).isEqualTo(help.stdout());
  }

  @Test
  void launcherFindsItsHomeThroughChainedSymlinks(@TempDir Path tmp) throws IOException {
    // /tmp/x/sluice -> links/sluice (relative) -> <dist>/bin/sluice (absolute), as with /usr/local/bin.
    Files.createDirectory(tmp.resolve("links"));
    Files.createSymbolicLink(tmp.resolve("links/sluice"), DIST.resolve("bin/sluice").toAbsolutePath());
    Files.createSymbolicLink(tmp.resolve("sluice"), Path.of("links/sluice"));

    Run run;
    try {
      run = exec(
          List.of(tmp.resolve("sluice").toString(), "--version"),
          tmp,
          env(THIS_JDK, Map.of("SLUICE_JAVA_OPTS", "-XshowSettings:properties")));
    } finally {
      // JUnit would not follow a link out of its temp dir, but it warns about each one it finds.
      Files.delete(tmp.resolve("sluice"));
      Files.delete(tmp.resolve("links/sluice"));
    }

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stdout()).contains("sluice " + VERSION);
    assertThat(run.stderr()).contains("sluice.home = " + DIST.toRealPath());
  }

  @Test
  void jvmDefaultsApplyUnlessTheOperatorChoosesOtherwise() {
    Run defaults = sluice(Map.of("JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "--version");
    assertThat(defaults.exitCode()).as(defaults.toString()).isZero();
    assertThat(defaults.stdout())
        .contains("-XX:MaxHeapSize=536870912", "-XX:InitialHeapSize=33554432", "-XX:+UseG1GC", "-XX:G1ConcRefinementThreads=0",
            "-XX:GCTimeRatio=4", "-XX:+ExitOnOutOfMemoryError")
        // the remark pause keeps freeing dead compiled code (the JVM's default)
        .doesNotContain("-XX:-ClassUnloadingWithConcurrentMark");
    if (Runtime.version().feature() >= 25) { // the launcher runs the same JDK as this test
      assertThat(defaults.stdout()).contains("-XX:TrimNativeHeapInterval=1000", "-XX:+UseCompactObjectHeaders");
    }

    // SLUICE_JAVA_OPTS wins over JAVA_OPTS, and choosing a heap or collector drops that default
    // (a user's -Xmx24m below the default -Xms32m would make the JVM refuse to start, and so would
    // two collectors).
    Run chosen = sluice(
        Map.of("JAVA_OPTS", "-Xmx300m", "SLUICE_JAVA_OPTS", "-Xmx24m -XX:+UseSerialGC -XX:+PrintCommandLineFlags"),
        "--version");
    assertThat(chosen.exitCode()).as(chosen.toString()).isZero();
    assertThat(chosen.stdout())
        .contains("-XX:MaxHeapSize=25165824", "-XX:+UseSerialGC", "sluice " + VERSION)
        .doesNotContain("-XX:+UseG1GC", "-XX:InitialHeapSize=33554432", "G1ConcRefinementThreads", "GCTimeRatio");

    // an operator's own refinement thread count and GC time ratio replace the defaults, and their
    // choice of class unloading is passed on
    Run refined = sluice(Map.of("SLUICE_JAVA_OPTS",
        "-XX:G1ConcRefinementThreads=2 -XX:GCTimeRatio=9 -XX:-ClassUnloadingWithConcurrentMark -XX:+PrintCommandLineFlags"), "--version");
    assertThat(refined.exitCode()).as(refined.toString()).isZero();
    assertThat(refined.stdout()).contains("-XX:G1ConcRefinementThreads=2", "-XX:GCTimeRatio=9", "-XX:+UseG1GC",
            "-XX:-ClassUnloadingWithConcurrentMark")
        .doesNotContain("-XX:G1ConcRefinementThreads=0", "-XX:GCTimeRatio=4");

    // and so do an operator's own native-heap trimming and object headers (Java 25+)
    if (Runtime.version().feature() >= 25) {
      Run kept = sluice(Map.of("SLUICE_JAVA_OPTS", "-XX:TrimNativeHeapInterval=0 -XX:-UseCompactObjectHeaders -XX:+PrintCommandLineFlags"),
          "--version");
      assertThat(kept.exitCode()).as(kept.toString()).isZero();
      assertThat(kept.stdout()).contains("-XX:-UseCompactObjectHeaders")
          .doesNotContain("-XX:TrimNativeHeapInterval=1000", "-XX:+UseCompactObjectHeaders");
    }
  }

  @Test
  void trainRecordsAnAotCacheThatRunStartsFrom(@TempDir Path tmp) throws IOException {
    assumeTrue(Runtime.version().feature() >= 25, "recording an AOT cache needs Java 25+");
    Path cache = tmp.resolve("sluice.aot");

    Run train = sluice(Map.of("SLUICE_AOT_CACHE", cache.toString()), "train", "--requests", "400");

    assertThat(train.exitCode()).as(train.toString()).isZero();
    // every installed plugin on the training route let its requests through; only /nowhere is refused
    assertThat(train.stdout()).contains("trained on 400 requests", ": 350 2xx, 50 4xx (unknown routes), 0 other, 0 unanswered");
    assertThat(cache).isRegularFile();

    // run loads the gateway's classes from the cache (here on a config it then refuses, to exit at once)
    Path broken = Files.writeString(tmp.resolve("broken.yaml"), "server: { listeners: [] }\nroutes: []\n");
    Run run = sluice(Map.of("SLUICE_AOT_CACHE", cache.toString(), "SLUICE_JAVA_OPTS", "-Xlog:class+load=info"),
        "run", "--config", broken.toString());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.stdout()).contains("io.sluice.config.ConfigLoader source: shared objects file");

    Run without = sluice(Map.of("SLUICE_AOT_CACHE", tmp.resolve("none.aot").toString(), "SLUICE_JAVA_OPTS",
        "-Xlog:class+load=info"), "run", "--config", broken.toString());
    assertThat(without.stdout()).doesNotContain("io.sluice.config.ConfigLoader source: shared objects file");
  }

  @Test
  void aTransportTheMachineCannotRunStopsStartupWithTheReason(@TempDir Path tmp) throws IOException {
    Path config = Files.writeString(tmp.resolve("sluice.yaml"), """
        server:
          listeners: [ { name: public, bind: 127.0.0.1, port: 0 } ]
          transport: io_uring
        routes:
          - id: all
            match: { path: /** }
            respond: { status: 204 }
        """);

    // Netty's switch that makes every native transport unavailable, as a seccomp profile would io_uring
    Run run = sluice(Map.of("SLUICE_JAVA_OPTS", "-Dio.netty.transport.noNative=true"), "run", "--config", config.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.stderr()).contains("could not start: server.transport is io_uring, which this machine cannot run (",
        "-Dio.netty.transport.noNative=true", "use auto to fall back");
  }

  @Test
  void javaOlderThan21IsRefusedWithTheJavaFoundAndHowToFixIt() {
    Path java17 = JDK_17.resolve("bin/java");
    assumeTrue(Files.isExecutable(java17), "no JDK 17 at " + JDK_17);

    Run run = exec(List.of(DIST.resolve("bin/sluice").toString(), "--version"), DIST, env(JDK_17, Map.of()));

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.stdout()).isEmpty();
    assertThat(run.stderr())
        .contains("needs Java 21 or newer", "found Java 17", java17.toString(), "export JAVA_HOME=");
  }

  @Test
  void javaHomeWithoutJavaIsNamed(@TempDir Path notAJdk) {
    Run run = exec(List.of(DIST.resolve("bin/sluice").toString(), "--version"), DIST, env(notAJdk, Map.of()));

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.stderr()).contains("JAVA_HOME is set to '" + notAJdk + "'", "is not an executable file");
  }

  @Test
  void tarballUnpacksToVersionedFolderWithTheSameFilesThatRun(@TempDir Path tmp) throws IOException {
    Run untar = exec(List.of("tar", "-xzf", TARBALL.toString(), "-C", tmp.toString()), tmp, Map.of());
    assertThat(untar.exitCode()).as(untar.toString()).isZero();

    assertThat(fileNames(tmp)).containsExactly("sluice-" + VERSION);
    Path unpacked = tmp.resolve("sluice-" + VERSION);
    assertThat(relativeFiles(unpacked)).isEqualTo(relativeFiles(DIST));

    Run run = exec(List.of(unpacked.resolve("bin/sluice").toString(), "--version"), tmp, env(THIS_JDK, Map.of()));
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stdout()).contains("sluice " + VERSION);
  }

  @Test
  void sighupUnderLoadReloadsTheConfigWithoutAFailedRequest(@TempDir Path tmp) throws Exception {
    Path config = tmp.resolve("sluice.yaml");
    Files.writeString(config, respondingConfig("v0"));
    Path out = tmp.resolve("out");
    Path err = tmp.resolve("err");
    ProcessBuilder builder = new ProcessBuilder(DIST.resolve("bin/sluice").toString(), "run", "--config", config.toString())
        .directory(DIST.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().clear();
    builder.environment().putAll(env(THIS_JDK, Map.of()));
    Process process = builder.start();
    try {
      process.getOutputStream().close();
      int port = awaitPort(out, err);
      java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
      java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + port + "/version");
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.Queue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
      java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.CompletableFuture<Void> load = java.util.concurrent.CompletableFuture.runAsync(() -> {
        while (!stop.get()) {
          try {
            var response = client.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
              failures.add(response.statusCode() + " " + response.body());
            }
            answered.incrementAndGet();
          } catch (IOException | InterruptedException e) {
            failures.add(e.toString());
          }
        }
      });
      for (int version = 1; version <= 3; version++) {
        Files.writeString(config, respondingConfig("v" + version));
        Run kill = exec(List.of("kill", "-HUP", String.valueOf(process.pid())), tmp, Map.of());
        assertThat(kill.exitCode()).as(kill.toString()).isZero();
        String expected = "v" + version;
        awaitCondition("version " + expected + " answered", () -> {
          try {
            return client.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body().equals(expected);
          } catch (IOException | InterruptedException e) {
            return false;
          }
        });
      }
      stop.set(true);
      load.get();

      assertThat(process.isAlive()).isTrue();
      assertThat(failures).isEmpty();
      assertThat(answered.get()).isPositive();
      assertThat(Files.readString(err)).contains("config reloaded from " + config);
    } finally {
      process.destroy();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(process.exitValue()).isZero();
  }

  private static String respondingConfig(String body) {
    return """
        server:
          listeners: [ { name: public, bind: 127.0.0.1, port: 0 } ]
          access_log: false
        routes:
          - { id: version, match: { path: /version }, respond: { status: 200, body: "%s" } }
        """.formatted(body);
  }

  /** The port of listener 'public', from what {@code sluice run} prints once it is listening. */
  private static int awaitPort(Path out, Path err) throws Exception {
    java.util.regex.Pattern listening = java.util.regex.Pattern.compile("listener 'public' on http://127.0.0.1:(\\d+)");
    int[] port = new int[1];
    awaitCondition("the gateway listening", () -> {
      try {
        java.util.regex.Matcher matcher = listening.matcher(Files.readString(out));
        if (matcher.find()) {
          port[0] = Integer.parseInt(matcher.group(1));
          return true;
        }
        return false;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    return port[0];
  }

  private static void awaitCondition(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  // --- helpers

  /** Runs {@code bin/sluice args...} in the distribution folder with the test's own JDK. */
  private static String sha256Hex(String text) {
    try {
      return java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static Run sluice(Map<String, String> extraEnv, String... args) {
    List<String> command = new ArrayList<>();
    command.add(DIST.resolve("bin/sluice").toString());
    command.addAll(List.of(args));
    return exec(command, DIST, env(THIS_JDK, extraEnv));
  }

  /** This process's environment without JVM options that would change the launcher's defaults. */
  private static Map<String, String> env(Path javaHome, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("JAVA_OPTS");
    env.remove("SLUICE_JAVA_OPTS");
    env.remove("JAVA_TOOL_OPTIONS");
    env.remove("JDK_JAVA_OPTIONS");
    env.put("JAVA_HOME", javaHome.toString());
    env.putAll(extra);
    return env;
  }

  private static Run exec(List<String> command, Path workDir, Map<String, String> env) {
    try {
      Path out = Files.createTempFile("sluice-it", ".out");
      Path err = Files.createTempFile("sluice-it", ".err");
      try {
        ProcessBuilder builder = new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
        if (!env.isEmpty()) {
          builder.environment().clear();
          builder.environment().putAll(env);
        }
        Process process = builder.start();
        process.getOutputStream().close();  // no stdin, as under CI or systemd
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError(command + " still running after 60s; stderr so far:\n" + Files.readString(err));
        }
        return new Run(command, process.exitValue(), Files.readString(out), Files.readString(err));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static List<String> relativeFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }

  private record Run(List<String> command, int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return String.join(" ", command) + " exited " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }
}
