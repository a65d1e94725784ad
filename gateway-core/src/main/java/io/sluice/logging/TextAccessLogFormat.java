package io.sluice.logging;

import java.util.concurrent.TimeUnit;

/**
 * Space-separated fields, {@code -} for absent ones:
 * {@code time request_id peer_ip method target status route upstream error_code error_source "error_details"
 * bytes_in bytes_out duration_ms upstream_ms abort}.
 */
final class TextAccessLogFormat implements AccessLogFormat {

  @Override
  public void append(StringBuilder line, AccessLogEntry e) {
    UtcTime.append(line, e.epochMillis());
    line.append(' ').append(e.requestId())
        .append(' ').append(e.peerIp())
        .append(' ').append(e.method())
        .append(' ').append(QueryRedaction.redact(e.target(), e.secretParameters()))
        .append(' ').append(e.status())
        .append(' ').append(orDash(e.route()))
        .append(' ').append(orDash(e.upstream()))
        .append(' ').append(orDash(e.errorCode()))
        .append(' ').append(orDash(e.errorSource()))
        .append(' ');
    if (e.errorDetails() == null || e.errorDetails().isEmpty()) {
      line.append('-');
    } else {
      line.append('"').append(e.errorDetails().replace('"', '\'')).append('"');
    }
    line.append(' ').append(e.bytesIn())
        .append(' ').append(e.bytesOut())
        .append(' ');
    JsonText.appendMillis(line, e.durationNanos());
    line.append(' ');
    if (e.upstreamNanos() < 0) {
      line.append('-');
    } else {
      line.append(TimeUnit.NANOSECONDS.toMillis(e.upstreamNanos()));
    }
    line.append(' ').append(orDash(e.abort()));
  }

  private static String orDash(String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }
}
