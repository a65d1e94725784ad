package io.sluice.plugintest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.PluginApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin template, {@code plugins/example-plugin}, as a plugin author gets it: copied out of the
 * Sluice tree and built with its own Maven Wrapper ({@code ./mvnw verify}: its unit tests, its tests
 * through a real gateway, its jar and the integration test on the jar) against a local repository
 * that holds, of Sluice, only what the install of this build put there. That repository starts
 * empty in every build and gets this module installed into it, with its parent POMs and its
 * dependencies, before this test runs (the {@code pre-integration-test} phase, see the POM).
 *
 * <p>Third-party artifacts (JUnit, Netty, the Maven plugins) come from the local repository of the
 * build running this test when they are there, through a {@code file:} view of it that leaves out
 * {@code io/sluice} (so a stale Sluice snapshot there can never stand in for what the install did
 * not provide), and otherwise from Maven Central. In an offline build ({@code -o}) the template is
 * built offline too, from that view alone.
 */
class PluginTemplateIT {

  private static final Path TEMPLATE = Path.of(System.getProperty("sluice.template")).toAbsolutePath().normalize();
  private static final Path REPOSITORY = Path.of(System.getProperty("sluice.template.repository")).toAbsolutePath();
  private static final Path USER_REPOSITORY = Path.of(System.getProperty("sluice.template.user.repository"));
  private static final boolean OFFLINE = System.getProperty("sluice.template.build").equals("offline=true");
  private static final long BUILD_TIMEOUT_MINUTES = 6;

  @TempDir
  static Path work;

  private static Path settings;

  /**
   * Settings that put the view of the user's repository before Maven Central. Its artifacts were
   * checked when they were downloaded, and some (those that were installed) have no checksum files:
   * no checksum policy. Releases only: no snapshot, of Sluice or anything else, comes from there.
   */
  @BeforeAll
  static void writeSettingsWithTheUserRepositoryWithoutSluice() throws IOException {
    String url = withoutSluice(USER_REPOSITORY, work.resolve("user-repository-without-sluice")).toUri().toString();
    String repository = """
        <id>user-repository-without-sluice</id><url>%s</url>
        <releases><checksumPolicy>ignore</checksumPolicy></releases><snapshots><enabled>false</enabled></snapshots>
        """.formatted(url);
    settings = Files.writeString(work.resolve("settings.xml"), """
        <settings>
          <profiles>
            <profile>
              <id>user-repository-without-sluice</id>
              <repositories><repository>%1$s</repository></repositories>
              <pluginRepositories><pluginRepository>%1$s</pluginRepository></pluginRepositories>
            </profile>
          </profiles>
          <activeProfiles><activeProfile>user-repository-without-sluice</activeProfile></activeProfiles>
        </settings>
        """.formatted(repository));
  }

  @Test
  void theTemplateCopiedOutOfTheTreeBuildsItsTestsPassAndItsJarDeclaresThePluginApi() throws Exception {
    assertThat(REPOSITORY.resolve("io/sluice/sluice-plugin-test")).as("installed before this test").isDirectory();
    Path project = copyOfTheTemplate("my-plugin");

    Build build = mavenWrapper(project, "verify");

    assertThat(build.exitCode()).as(build.output()).isZero();
    assertThat(build.output())
        .as("the unit test with the doubles, the test through a gateway and the integration test on the jar ran")
        .contains("in com.example.sluice.HeaderGuardTest", "in com.example.sluice.HeaderGuardGatewayTest",
            "in com.example.sluice.HeaderGuardIT");
    try (Stream<Path> files = Files.list(project.resolve("target"));
         JarFile jar = new JarFile(files.filter(f -> f.toString().endsWith(".jar")).findFirst().orElseThrow().toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue(PluginApi.MANIFEST_ATTRIBUTE)).isEqualTo(PluginApi.version());
      assertThat(jar.getEntry("META-INF/services/io.sluice.spi.PluginFactory")).isNotNull();
      assertThat(jar.stream().map(entry -> entry.getName()))
          .as("the SPI is provided by the gateway, not bundled")
          .noneMatch(name -> name.startsWith("io/sluice/"));
    }
  }

  @Test
  void aTemplateThatNeedsASluiceArtifactTheInstallDidNotProvideFailsToBuild() throws Exception {
    Path project = copyOfTheTemplate("needs-more");
    Path pom = project.resolve("pom.xml");
    String anchor = "  <dependencies>\n";
    String original = Files.readString(pom);
    assertThat(original).contains(anchor);
    // a module of this build, but not one of the kit's: `./mvnw install` puts it into ~/.m2, this install does not
    Files.writeString(pom, original.replace(anchor, anchor + """
            <dependency>
              <groupId>io.sluice</groupId>
              <artifactId>sluice-plugin-cors</artifactId>
              <version>${sluice.version}</version>
              <scope>test</scope>
            </dependency>
        """));

    Build build = mavenWrapper(project, "verify");

    assertThat(build.exitCode()).as(build.output()).isNotZero();
    assertThat(build.output()).contains("io.sluice:sluice-plugin-cors:jar:");
  }

  @Test
  void theViewOfTheUserRepositoryLeavesOutSluiceAndNothingElse() throws IOException {
    Path user = Files.createDirectories(work.resolve("a-user-repository"));
    Files.createDirectories(user.resolve("io/sluice/sluice-plugin-api/0.0.1-SNAPSHOT"));
    Files.createDirectories(user.resolve("io/netty/netty-common/4.2.0.Final"));
    Files.createDirectories(user.resolve("org/junit/junit-bom/5.0.0"));
    Files.writeString(user.resolve("io/netty/netty-common/4.2.0.Final/netty-common-4.2.0.Final.pom"), "<project/>");

    Path view = withoutSluice(user, work.resolve("a-view"));

    assertThat(view.resolve("io/sluice")).doesNotExist();
    assertThat(view.resolve("io/netty/netty-common/4.2.0.Final/netty-common-4.2.0.Final.pom")).hasContent("<project/>");
    assertThat(view.resolve("org/junit/junit-bom/5.0.0")).isDirectory();
  }

  /**
   * A view of a local repository that leaves out {@code io/sluice}: links to every entry at its top
   * level but {@code io}, and a real {@code io} holding links to every entry of the original
   * {@code io} but {@code sluice}.
   */
  private static Path withoutSluice(Path userRepository, Path view) throws IOException {
    Files.createDirectories(view.resolve("io"));
    if (!Files.isDirectory(userRepository)) {
      return view; // a machine that never built anything: everything comes from Maven Central
    }
    linkAllBut(userRepository, "io", view);
    if (Files.isDirectory(userRepository.resolve("io"))) {
      linkAllBut(userRepository.resolve("io"), "sluice", view.resolve("io"));
    }
    return view;
  }

  private static void linkAllBut(Path folder, String left, Path into) throws IOException {
    try (Stream<Path> entries = Files.list(folder)) {
      for (Path entry : entries.toList()) {
        if (!entry.getFileName().toString().equals(left)) {
          Files.createSymbolicLink(into.resolve(entry.getFileName().toString()), entry.toAbsolutePath());
        }
      }
    }
  }

  /** The template as an author copies it: everything but what a build of it left behind. */
  private static Path copyOfTheTemplate(String name) throws IOException {
    Path copy = work.resolve(name);
    Files.walkFileTree(TEMPLATE, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
        if (dir.equals(TEMPLATE.resolve("target"))) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        Files.createDirectories(copy.resolve(TEMPLATE.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
        // COPY_ATTRIBUTES keeps mvnw executable
        Files.copy(file, copy.resolve(TEMPLATE.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }
    });
    return copy;
  }

  private record Build(int exitCode, String output) {}

  /**
   * Runs the project's own Maven Wrapper, on the JDK running this test, with the template repository
   * as its local repository and the settings above. The wrapper's Maven is the one this build runs
   * on (the same distribution URL), so it is already unpacked under ~/.m2/wrapper.
   */
  private static Build mavenWrapper(Path project, String... goals) throws IOException, InterruptedException {
    boolean windows = System.getProperty("os.name").startsWith("Windows");
    List<String> command = new ArrayList<>(List.of(project.resolve(windows ? "mvnw.cmd" : "mvnw").toString(),
        "-B", "-ntp", "-s", settings.toString(), "-Dmaven.repo.local=" + REPOSITORY));
    if (OFFLINE) {
      // offline, Maven reads no repository at all unless told that file: ones are local
      command.addAll(List.of("-o", "-Daether.offline.protocols=file"));
    }
    command.addAll(List.of(goals));
    Path log = work.resolve(project.getFileName() + "-build.log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> environment = builder.environment();
    environment.put("JAVA_HOME", System.getProperty("java.home"));
    // the options and project folder of the build running this test are not the template's
    List.of("MAVEN_ARGS", "MAVEN_BASEDIR", "MAVEN_PROJECTBASEDIR").forEach(environment::remove);
    Process maven = builder.start();
    if (!maven.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      maven.descendants().forEach(ProcessHandle::destroyForcibly);
      maven.destroyForcibly();
      throw new AssertionError("the template's build did not end within " + BUILD_TIMEOUT_MINUTES + " minutes:\n" + read(log));
    }
    return new Build(maven.exitValue(), read(log));
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
