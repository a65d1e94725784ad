package io.sluice.config;

import static io.sluice.config.YamlSnippets.problems;
import static io.sluice.config.YamlSnippets.valid;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.access_log}, {@code server.tracing} and {@code logging}. */
class LogAndTraceSectionsTest {

  private static final String LISTENERS = """
      server:
        listeners: [{ name: public, port: 0 }]
      """;

  @TempDir
  Path dir;

  @Test
  void accessLogIsTrueFalseOrAMapping() throws Exception {
    assertThat(valid(LISTENERS + "  access_log: true\nroutes: []\n").server().accessLog()).isEqualTo(AccessLogConfig.DEFAULTS);
    assertThat(valid(LISTENERS + "  access_log: false\nroutes: []\n").server().accessLog()).isEqualTo(AccessLogConfig.DISABLED);
    assertThat(valid(LISTENERS + "  access_log: { format: json }\nroutes: []\n").server().accessLog())
        .isEqualTo(new AccessLogConfig(true, AccessLogConfig.Format.JSON, null, 0, 5));
    assertThat(valid(LISTENERS + "  access_log: { path: stdout }\nroutes: []\n").server().accessLog())
        .isEqualTo(AccessLogConfig.DEFAULTS);
    assertThat(valid(LISTENERS + "  access_log: { path: " + dir.resolve("a.log") + ", max_size: 10MiB }\nroutes: []\n")
        .server().accessLog()).isEqualTo(new AccessLogConfig(true, AccessLogConfig.Format.TEXT, dir.resolve("a.log"),
            10L * 1024 * 1024, 5));
  }

  @Test
  void accessLogMistakesAreReportedWhereTheyAre() {
    assertThat(problems(LISTENERS + """
          access_log: { format: xml, path: /no/such/folder/a.log, max_files: 0, max_size: 1KiB, fromat: json }
        routes: []
        """)).containsExactly(
            "sluice.yaml:3:25 server.access_log.format: unknown format 'xml' (expected one of: text, json)",
            "sluice.yaml:3:36 server.access_log.path: the folder of '/no/such/folder/a.log' does not exist"
                + " (expected: a file in an existing folder)",
            "sluice.yaml:3:70 server.access_log.max_files: '0' (expected: a number of rotated files, 1..1000)",
            "sluice.yaml:3:83 server.access_log.max_size: '1KiB' (expected: a size of at least 1048576 bytes)",
            "sluice.yaml:3:89 server.access_log: unknown key 'fromat' (did you mean 'format'?)");
    assertThat(problems(LISTENERS + "  access_log: { max_size: 10MiB }\nroutes: []\n")).containsExactly(
        "sluice.yaml:3:27 server.access_log.max_size: max_size rotates a file, but the access log goes to stdout"
            + " (expected: path: FILE as well)");
  }

  @Test
  void tracingIsOnAndSampledUnlessSaidOtherwise() throws Exception {
    assertThat(valid(LISTENERS + "routes: []\n").server().tracing()).isEqualTo(new TracingConfig(true, true));
    assertThat(valid(LISTENERS + "  tracing: { propagate: false }\nroutes: []\n").server().tracing())
        .isEqualTo(new TracingConfig(false, true));
    assertThat(problems(LISTENERS + "  tracing: { propagate: yes, sample: false }\nroutes: []\n")).containsExactly(
        "sluice.yaml:3:25 server.tracing.propagate: 'yes' (expected: true or false)",
        "sluice.yaml:3:30 server.tracing: unknown key 'sample' (did you mean 'sampled'?)");
  }

  @Test
  void loggingLevelsAndLoggerNamesAreChecked() {
    assertThat(problems(LISTENERS + """
        routes: []
        logging: { level: verbose, levels: { "io..sluice": debug, io.sluice: loud }, format: xml }
        """)).containsExactly(
            "sluice.yaml:4:19 logging.level: unknown level 'verbose' (expected one of: off, error, warn, info, debug, trace)",
            "sluice.yaml:4:38 logging.levels: logger name 'io..sluice' (expected: a dotted name such as io.sluice.upstream or io.netty)",
            "sluice.yaml:4:70 logging.levels.io.sluice: unknown level 'loud' (expected one of: off, error, warn, info, debug, trace)",
            "sluice.yaml:4:86 logging.format: unknown format 'xml' (expected one of: text, json)");
  }
}
