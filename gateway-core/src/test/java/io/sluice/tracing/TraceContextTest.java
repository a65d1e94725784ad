package io.sluice.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TraceContextTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String VALID = "00-" + TRACE + "-00f067aa0ba902b7-01";

  private static HttpHeaders headers(String... nameValues) {
    HttpHeaders headers = new DefaultHttpHeaders();
    for (int i = 0; i < nameValues.length; i += 2) {
      headers.add(nameValues[i], nameValues[i + 1]);
    }
    return headers;
  }

  @Test
  void aValidTraceparentIsContinuedWithTheGatewaysOwnSpan() {
    TraceContext trace = TraceContext.of(headers("traceparent", VALID), true);

    assertThat(trace.continued()).isTrue();
    assertThat(trace.traceId()).isEqualTo(TRACE);
    assertThat(trace.sampled()).isTrue();
    String upstream = trace.upstreamTraceparent().toString();
    assertThat(upstream).matches("00-" + TRACE + "-[0-9a-f]{16}-01");
    assertThat(upstream).doesNotContain("00f067aa0ba902b7").isEqualTo("00-" + TRACE + "-" + trace.spanId() + "-01");
  }

  @Test
  void theFlagsOfTheCallerAreKept() {
    assertThat(TraceContext.of(headers("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-00"), true).upstreamTraceparent().toString())
        .endsWith("-00");
    assertThat(TraceContext.of(headers("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-03"), false).upstreamTraceparent().toString())
        .endsWith("-03");
  }

  @Test
  void invalidTraceparentsStartANewTrace() {
    for (String invalid : new String[] {
        "", "garbage",
        "00-" + TRACE + "-00f067aa0ba902b7-1",                       // short flags
        "00-" + TRACE.toUpperCase() + "-00f067aa0ba902b7-01",        // upper case
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // all-zero trace id
        "00-" + TRACE + "-0000000000000000-01",                      // all-zero parent id
        "ff-" + TRACE + "-00f067aa0ba902b7-01",                      // version ff
        "0x-" + TRACE + "-00f067aa0ba902b7-01",                      // not hex
        "00-" + TRACE + "-00f067aa0ba902b7-01-extra",                // version 00 has nothing after the flags
        "00_" + TRACE + "-00f067aa0ba902b7-01",                      // wrong separator
        "00-" + TRACE + "-00f067aa0ba902bg-01",                      // not hex in the parent id
    }) {
      TraceContext trace = TraceContext.of(headers("traceparent", invalid), true);
      assertThat(trace.continued()).as(invalid).isFalse();
      assertThat(trace.traceId()).as(invalid).matches("[0-9a-f]{32}").isNotEqualTo(TRACE);
    }
  }

  @Test
  void aLaterVersionIsReadByTheVersion00Layout() {
    assertThat(TraceContext.of(headers("traceparent", "cc-" + TRACE + "-00f067aa0ba902b7-01-what-ever"), true).traceId())
        .isEqualTo(TRACE);
    assertThat(TraceContext.of(headers("traceparent", "cc-" + TRACE + "-00f067aa0ba902b7-01"), true).continued()).isTrue();
    assertThat(TraceContext.of(headers("traceparent", "cc-" + TRACE + "-00f067aa0ba902b7-01x"), true).continued()).isFalse();
  }

  @Test
  void twoTraceparentFieldsAreInvalid() {
    assertThat(TraceContext.of(headers("traceparent", VALID, "traceparent", VALID), true).continued()).isFalse();
  }

  @Test
  void aNewTraceHasRandomNonZeroIdsAndTheConfiguredSampledFlag() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      TraceContext trace = TraceContext.of(headers(), i % 2 == 0);
      assertThat(trace.continued()).isFalse();
      assertThat(trace.upstreamTraceparent().toString()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0" + (i % 2 == 0 ? "1" : "0"));
      assertThat(trace.spanId()).isNotEqualTo("0000000000000000");
      ids.add(trace.traceId());
    }
    assertThat(ids).hasSize(1000);
  }

  @Test
  void theUpstreamGetsOurTraceparentAndTracestateOnlyWithTheClientsTrace() {
    HttpHeaders continued = headers("traceparent", VALID, "tracestate", "congo=t61rcWkgMzE");
    TraceContext trace = TraceContext.of(continued, true);
    trace.applyTo(continued);
    assertThat(continued.get("traceparent")).isEqualTo(trace.upstreamTraceparent().toString());
    assertThat(continued.get("tracestate")).isEqualTo("congo=t61rcWkgMzE");

    HttpHeaders replaced = headers("traceparent", "00-bad", "tracestate", "congo=t61rcWkgMzE");
    TraceContext fresh = TraceContext.of(replaced, true);
    fresh.applyTo(replaced);
    assertThat(replaced.get("traceparent")).isEqualTo(fresh.upstreamTraceparent().toString());
    assertThat(replaced.contains("tracestate")).isFalse();
  }
}
