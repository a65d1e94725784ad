package io.sluice.plugins.cors;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium (Debian's {@code chromium} package), run once per page: it loads the page,
 * lets its scripts run, and prints the resulting DOM.
 */
final class Chromium {

  static final Path EXECUTABLE = Path.of("/usr/bin/chromium");
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  private Chromium() {}

  /**
   * Skips the calling test when Chromium is not installed, except under CI ({@code CI} set),
   * where the browser test must run: there a missing browser fails in {@link #dumpDom}.
   */
  static void assumeInstalledOrCi() {
    assumeTrue(Files.isExecutable(EXECUTABLE) || System.getenv("CI") != null,
        EXECUTABLE + " is not installed (apt-get install chromium); the browser test runs where it is, and always under CI");
  }

  /**
   * The DOM of {@code page} after its scripts ran, with up to 5 s of virtual time (which does
   * not run out while a fetch is pending). {@code workDir} holds the profile and output.
   */
  static String dumpDom(URI page, Path workDir) throws IOException, InterruptedException {
    if (!Files.isExecutable(EXECUTABLE)) {
      throw new AssertionError(EXECUTABLE + " is missing: install the chromium package (.ci/run does)");
    }
    Path profile = Files.createTempDirectory(workDir, "profile");
    Path dom = Files.createTempFile(workDir, "dom", ".html");
    Path log = Files.createTempFile(workDir, "chromium", ".log");
    Process process = new ProcessBuilder(List.of(EXECUTABLE.toString(),
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom", page.toString()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(dom.toFile())
        .redirectError(log.toFile())
        .start();
    if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor();
      throw new AssertionError("chromium did not finish within " + TIMEOUT.toSeconds() + " s:\n" + tail(log));
    }
    if (process.exitValue() != 0) {
      throw new AssertionError("chromium exited with " + process.exitValue() + ":\n" + tail(log));
    }
    return Files.readString(dom);
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }
}
