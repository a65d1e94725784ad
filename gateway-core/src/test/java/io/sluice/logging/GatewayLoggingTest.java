package io.sluice.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.ConfigLoader;
import io.sluice.config.LoggingConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code logging:} applied to the JDK logging the gateway logs through. */
class GatewayLoggingTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
  // the tests' own logging.properties would otherwise keep its handlers (as an operator's would in production)
  private final GatewayLogging logging = new GatewayLogging(sink, true);

  @AfterEach
  void restore() {
    logging.close();
  }

  private static LoggingConfig config(String section) throws Exception {
    return ConfigLoader.parse("""
        server:
          listeners: [{ name: public, port: 0 }]
        routes: []
        """ + section, "sluice.yaml", name -> null).logging();
  }

  private String written() {
    return sink.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theLevelAppliesToEveryLoggerAndLevelsToTheNamedOnesAndTheirChildren() throws Exception {
    logging.apply(config("logging: { level: warn, levels: { io.sluice.test.upstream: debug, io.sluice.test.quiet: off } }\n"));

    System.getLogger("io.sluice.test.server").log(System.Logger.Level.INFO, "info-hidden");
    System.getLogger("io.sluice.test.server").log(System.Logger.Level.WARNING, "warning-shown");
    System.getLogger("io.sluice.test.upstream.HealthChecker").log(System.Logger.Level.DEBUG, "debug-shown");
    System.getLogger("io.sluice.test.upstream").log(System.Logger.Level.TRACE, "trace-hidden");
    System.getLogger("io.sluice.test.quiet").log(System.Logger.Level.ERROR, "error-hidden");

    assertThat(written()).contains("warning-shown", "debug-shown").doesNotContain("info-hidden", "trace-hidden", "error-hidden");
  }

  @Test
  void theTextFormatIsOneLineWithUtcTimeLevelAndLogger() throws Exception {
    logging.apply(LoggingConfig.DEFAULTS);

    System.getLogger("io.sluice.test.text").log(System.Logger.Level.WARNING, "listener ''{0}'' closed", "public");

    assertThat(written()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z WARNING io\\.sluice\\.test\\.text: "
        + "listener 'public' closed\\R");
  }

  @Test
  void theJsonFormatIsOneObjectPerLineWithTheException() throws Exception {
    logging.apply(config("logging: { format: json }\n"));

    System.getLogger("io.sluice.test.json").log(System.Logger.Level.ERROR, "failed \"badly\"\nreally",
        new IllegalStateException("boom"));

    String[] lines = written().split("\\R");
    assertThat(lines).hasSize(1);
    JsonNode line = JSON.readTree(lines[0]);
    assertThat(line.get("time").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    assertThat(line.get("level").asText()).isEqualTo("ERROR");
    assertThat(line.get("logger").asText()).isEqualTo("io.sluice.test.json");
    assertThat(line.get("thread").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(line.get("message").asText()).isEqualTo("failed \"badly\"\nreally");
    assertThat(line.get("exception").asText()).startsWith("java.lang.IllegalStateException: boom").contains("\tat ");
  }

  @Test
  void applyingAgainReplacesFormatAndLevels() throws Exception {
    logging.apply(config("logging: { format: json, levels: { io.sluice.test.again: debug } }\n"));
    logging.apply(config("logging: { format: text }\n"));

    System.getLogger("io.sluice.test.again").log(System.Logger.Level.DEBUG, "debug-hidden-now");
    System.getLogger("io.sluice.test.again").log(System.Logger.Level.INFO, "info-as-text");

    assertThat(written()).doesNotContain("debug-hidden-now").contains(" INFO io.sluice.test.again: info-as-text").doesNotContain("{");
  }
}
