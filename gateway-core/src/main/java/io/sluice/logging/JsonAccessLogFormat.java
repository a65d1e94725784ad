package io.sluice.logging;

/**
 * One JSON object per line, written by hand: fields in a fixed order, absent ones left out, durations in
 * milliseconds with three decimals. (Jackson's {@code JsonGenerator} writes the same object; the
 * {@code AccessLogFormatBenchmark} compares the two.)
 *
 * {@snippet lang=json :
 * {"time":"2026-11-23T16:40:34.509Z","request_id":"01JD...","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736",
 *  "client_ip":"203.0.113.7","peer_ip":"10.0.0.2","listener":"public","protocol":"HTTP/2","method":"GET",
 *  "host":"api.example.com","path":"/users/7?api_key=REDACTED","route":"users","upstream":"10.0.1.5:8080",
 *  "status":200,"bytes_in":0,"bytes_out":512,"duration_ms":3.214,"upstream_ms":2.801,
 *  "plugins":{"api_key":0.012,"rate_limit":0.004},"subject":"mobile-app","consumer":"mobile-app","attempts":1}
 * }
 */
final class JsonAccessLogFormat implements AccessLogFormat {

  @Override
  public void append(StringBuilder line, AccessLogEntry e) {
    line.append("{\"time\":\"");
    UtcTime.append(line, e.epochMillis());
    line.append('"');
    string(line, "request_id", e.requestId());
    string(line, "trace_id", e.traceId());
    string(line, "client_ip", e.clientIp());
    string(line, "peer_ip", e.peerIp());
    string(line, "listener", e.listener());
    string(line, "protocol", e.protocol());
    string(line, "method", e.method());
    string(line, "host", e.host());
    string(line, "path", QueryRedaction.redact(e.target(), e.secretParameters()));
    string(line, "route", e.route());
    string(line, "upstream", e.upstream());
    line.append(",\"status\":").append(e.status());
    if (e.grpcStatus() >= 0) {
      line.append(",\"grpc_status\":").append(e.grpcStatus());
    }
    string(line, "error_code", e.errorCode());
    string(line, "error_source", e.errorSource());
    string(line, "error_details", e.errorDetails());
    string(line, "abort", e.abort());
    line.append(",\"bytes_in\":").append(e.bytesIn());
    line.append(",\"bytes_out\":").append(e.bytesOut());
    line.append(",\"duration_ms\":");
    JsonText.appendMillis(line, e.durationNanos());
    if (e.upstreamNanos() >= 0) {
      line.append(",\"upstream_ms\":");
      JsonText.appendMillis(line, e.upstreamNanos());
    }
    plugins(line, e.pluginNames(), e.pluginNanos());
    string(line, "subject", e.subject());
    string(line, "consumer", e.consumer());
    line.append(",\"attempts\":").append(e.attempts()).append('}');
  }

  private static void plugins(StringBuilder line, String[] names, long[] nanos) {
    if (names == null) {
      return;
    }
    line.append(",\"plugins\":{");
    for (int i = 0; i < names.length; i++) {
      if (nanos[i] >= 0) {
        JsonText.appendName(line, names[i]);
        JsonText.appendMillis(line, nanos[i]);
      }
    }
    line.append('}');
  }

  /** {@code ,"name":"value"}, or nothing for {@code null}. */
  private static void string(StringBuilder line, String name, String value) {
    if (value != null) {
      line.append(",\"").append(name).append("\":");
      JsonText.appendString(line, value);
    }
  }
}
