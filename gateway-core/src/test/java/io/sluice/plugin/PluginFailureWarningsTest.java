package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Gateway;
import io.sluice.testing.NoLeaksExtension;
import io.sluice.testing.TestUpstream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A plugin that fails on every request is logged once in full, not with a stack trace per request. */
@ExtendWith(NoLeaksExtension.class)
class PluginFailureWarningsTest {

  static final Logger LOG = Logger.getLogger(PluginChain.class.getName());
  static final List<LogRecord> RECORDS = new CopyOnWriteArrayList<>();
  static final Handler RECORDER = new Handler() {
    @Override
    public void publish(LogRecord record) {
      RECORDS.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  static TestUpstream upstream;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    LOG.addHandler(RECORDER);
    upstream = new TestUpstream();
    gateway = Gateway.start("""
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
        upstreams:
          backend: { endpoints: [ "http://127.0.0.1:${UPSTREAM}" ] }
        routes:
          - { id: failing, match: { path: /failing }, upstream: backend, plugins: [ { test_fail: { where: request } } ] }
          - { id: also-failing, match: { path: /also-failing }, upstream: backend, plugins: [ { test_fail: { where: request } } ] }
        """, Map.of("UPSTREAM", String.valueOf(upstream.port())));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
    LOG.removeHandler(RECORDER);
  }

  @Test
  void aPluginFailingOnEveryRequestLogsItsStackTraceOncePerRouteAndFailure() throws Exception {
    for (int i = 0; i < 20; i++) {
      assertThat(gateway.send("GET", "/failing").statusCode()).isEqualTo(500);
    }
    assertThat(gateway.send("GET", "/also-failing").statusCode()).isEqualTo(500);

    List<LogRecord> warnings = RECORDS.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
    assertThat(warnings).as("one per route: 20 identical failures on 'failing', one on 'also-failing'").hasSize(2);
    assertThat(warnings).allSatisfy(record -> {
      assertThat(record.getMessage()).startsWith("plugin 'test_fail' failed in onRequest on route '")
          .contains("java.lang.IllegalStateException: boom in onRequest");
      assertThat(record.getThrown()).hasMessage("boom in onRequest");
    });
  }
}
