package io.sluice.benchmarks;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.config.AccessLogConfig;
import io.sluice.logging.AccessLogEntry;
import io.sluice.logging.AccessLogFormat;
import io.sluice.logging.QueryRedaction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One JSON access-log line, as bytes ready for the file: the hand-written {@code json} format against the same object
 * written with Jackson's streaming {@link JsonGenerator} (UTF-8 straight into a reused buffer, its cheapest mode),
 * and the {@code text} format for scale. Runs on the access log's writer thread, not the event loop, but that thread
 * shares the cores with the event loops.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AccessLogFormatBenchmark {

  private AccessLogEntry entry;
  private final StringBuilder line = new StringBuilder(512);
  private AccessLogFormat json;
  private AccessLogFormat text;
  private final JsonFactory factory = new JsonFactory();
  private final ByteArrayOutputStream jacksonBuffer = new ByteArrayOutputStream(512);
  private long cachedSecond = -1;
  private String cachedPrefix;

  @Setup
  public void setUp() {
    entry = new AccessLogEntry(System.currentTimeMillis(), "01JD3Y8K2V7QX9M4N6P8R0S2T4", "4bf92f3577b34da6a3ce929d0e0e4736",
        "10.0.0.2", "203.0.113.7", "public", "HTTP/1.1", "GET", "api.example.com", "/api/v1/users/7?page=2&api_key=abc123",
        Set.of("api_key", "access_token"), "users", "10.0.1.5:8080", 200, -1, null, null, null, null, 0, 512,
        3_214_000, 2_801_000, new String[] {"jwt", "rate_limit"}, new long[] {12_000, 4_000}, "alice", null, 1);
    json = AccessLogFormat.of(AccessLogConfig.Format.JSON);
    text = AccessLogFormat.of(AccessLogConfig.Format.TEXT);
  }

  @Benchmark
  public byte[] handWrittenJson() {
    line.setLength(0);
    json.append(line, entry);
    line.append('\n');
    return line.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public byte[] jacksonGenerator() throws IOException {
    jacksonBuffer.reset();
    try (JsonGenerator out = factory.createGenerator(jacksonBuffer, JsonEncoding.UTF8)) {
      AccessLogEntry e = entry;
      out.writeStartObject();
      out.writeStringField("time", time(e.epochMillis()));
      out.writeStringField("request_id", e.requestId());
      out.writeStringField("trace_id", e.traceId());
      out.writeStringField("client_ip", e.clientIp());
      out.writeStringField("peer_ip", e.peerIp());
      out.writeStringField("listener", e.listener());
      out.writeStringField("protocol", e.protocol());
      out.writeStringField("method", e.method());
      out.writeStringField("host", e.host());
      out.writeStringField("path", QueryRedaction.redact(e.target(), e.secretParameters()));
      out.writeStringField("route", e.route());
      out.writeStringField("upstream", e.upstream());
      out.writeNumberField("status", e.status());
      out.writeNumberField("bytes_in", e.bytesIn());
      out.writeNumberField("bytes_out", e.bytesOut());
      out.writeNumberField("duration_ms", e.durationNanos() / 1_000 / 1000.0);
      out.writeNumberField("upstream_ms", e.upstreamNanos() / 1_000 / 1000.0);
      out.writeObjectFieldStart("plugins");
      for (int i = 0; i < e.pluginNames().length; i++) {
        out.writeNumberField(e.pluginNames()[i], e.pluginNanos()[i] / 1_000 / 1000.0);
      }
      out.writeEndObject();
      out.writeStringField("subject", e.subject());
      out.writeNumberField("attempts", e.attempts());
      out.writeEndObject();
    }
    jacksonBuffer.write('\n');
    return jacksonBuffer.toByteArray();
  }

  /** The time as the hand-written format spells it, with the same per-second cache, so both pay the same for it. */
  private String time(long epochMillis) {
    long second = epochMillis / 1000;
    if (second != cachedSecond) {
      cachedSecond = second;
      cachedPrefix = Instant.ofEpochSecond(second).toString().replace("Z", ".");
    }
    int millis = (int) (epochMillis % 1000);
    return cachedPrefix + (char) ('0' + millis / 100) + (char) ('0' + millis / 10 % 10) + (char) ('0' + millis % 10) + 'Z';
  }

  @Benchmark
  public byte[] text() {
    line.setLength(0);
    text.append(line, entry);
    line.append('\n');
    return line.toString().getBytes(StandardCharsets.UTF_8);
  }
}
