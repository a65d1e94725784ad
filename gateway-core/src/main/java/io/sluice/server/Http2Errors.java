package io.sluice.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What the gateway does with the HTTP/2 errors of client connections: counts them in
 * {@code sluice.http2.errors{kind, reason}} and logs them in one line without a stack trace. A stream
 * error (a reset stream) is the client's business and logged at debug level only; a connection error
 * (GOAWAY and close) is logged as a warning, once per connection, naming the peer. Labels come from
 * fixed sets only, never from error text: {@code kind} is {@code stream} or {@code connection};
 * {@code reason} is the HTTP/2 error code in lower case ({@code protocol_error}, {@code refused_stream},
 * ...) or, for a connection cut off by an abuse limit, the limit (see {@link #connectionReason}).
 */
final class Http2Errors {

  static final String METRIC = "sluice.http2.errors";

  private static final System.Logger LOG = System.getLogger(Http2Errors.class.getName());
  private static final Http2Error[] CODES = Http2Error.values();
  /** Netty's error messages come with numbers at most; this bounds whatever else a message could carry into a log line. */
  private static final int MAX_MESSAGE_CHARS = 200;

  private final MeterRegistry meters;
  /** Stream error counters by {@link Http2Error#ordinal()}, registered on first use. */
  private final AtomicReferenceArray<Counter> streamErrors = new AtomicReferenceArray<>(CODES.length);

  Http2Errors(MeterRegistry meters) {
    this.meters = meters;
  }

  /** A stream of {@code connection} was reset for {@code error}. */
  void streamError(Channel connection, Http2Exception.StreamException error) {
    Http2Error code = error.error();
    Counter counter = streamErrors.get(code.ordinal());
    if (counter == null) {
      counter = counter("stream", name(code));
      streamErrors.set(code.ordinal(), counter);
    }
    counter.increment();
    if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
      LOG.log(System.Logger.Level.DEBUG, "HTTP/2 stream {0} from {1} reset with {2}: {3}", error.streamId(),
          peer(connection), code, text(error));
    }
  }

  /**
   * {@code connection} is sent GOAWAY for {@code error} and closed; {@code reason} is its label, from
   * {@link #connectionReason} or a limit the caller enforces. {@code first} tells whether it is the
   * connection's first such error: only that one is counted and logged as a warning (a connection being
   * closed can hit more errors as the rest of its frames arrive).
   */
  void connectionError(Channel connection, Http2Exception error, String reason, boolean first) {
    if (!first) {
      LOG.log(System.Logger.Level.DEBUG, "HTTP/2 connection from {0}, closing: {1}", peer(connection), text(error));
      return;
    }
    counter("connection", reason).increment();
    String limit = reason.equals(name(error.error())) ? "" : " (" + reason + ")";
    LOG.log(System.Logger.Level.WARNING, "HTTP/2 connection from {0} closed with GOAWAY {1}{2}: {3}", peer(connection),
        error.error(), limit, text(error));
  }

  /**
   * The label of a connection error the codec raised: the abuse limit that ended the connection, named from
   * the codec's message, or else the error code. A message that is not recognised keeps the error code, so
   * the set stays bounded whatever a future codec says:
   * <ul>
   *   <li>{@code client_resets}: the client reset more than {@code max_resets} streams (rapid reset)
   *   <li>{@code control_frame_flood}: the client sent frames that need an answer (PING, SETTINGS) without reading the answers
   *   <li>{@code empty_data_frames}: a flood of DATA frames without data
   *   <li>{@code continuation_flood}: a header block sent in many small CONTINUATION frames
   *   <li>{@code headers_too_large}: a header block that kept growing past {@code limits.max_header_bytes}
   * </ul>
   * ({@code server_resets}, the client making the gateway reset more than {@code max_server_resets} streams,
   * is {@link Http2ClientCodec}'s own limit.)
   */
  static String connectionReason(Http2Exception error) {
    String message = String.valueOf(error.getMessage());
    if (error.error() == Http2Error.ENHANCE_YOUR_CALM) {
      if (message.contains("RST frames")) {
        return "client_resets";
      }
      if (message.contains("control frames")) {
        return "control_frame_flood";
      }
      if (message.contains("empty data frames")) {
        return "empty_data_frames";
      }
      if (message.contains("continuation")) {
        return "continuation_flood";
      }
    }
    if (message.startsWith("Header size exceeded")) {
      return "headers_too_large";
    }
    return name(error.error());
  }

  private Counter counter(String kind, String reason) {
    return Counter.builder(METRIC)
        .description("HTTP/2 errors of client connections: streams reset and connections closed, by error code or abuse limit")
        .tag("kind", kind)
        .tag("reason", reason)
        .register(meters);
  }

  private static String name(Http2Error code) {
    return code.name().toLowerCase(Locale.ROOT);
  }

  /** The client's address as {@code ip:port}. */
  static String peer(Channel connection) {
    SocketAddress address = connection.remoteAddress();
    if (address instanceof InetSocketAddress inet) {
      return inet.getHostString() + ":" + inet.getPort();
    }
    return String.valueOf(address);
  }

  /** The error's message on one line: control characters replaced, length bounded. */
  private static String text(Http2Exception error) {
    String message = String.valueOf(error.getMessage());
    StringBuilder line = new StringBuilder(Math.min(message.length(), MAX_MESSAGE_CHARS + 3));
    for (int i = 0; i < message.length() && i < MAX_MESSAGE_CHARS; i++) {
      char c = message.charAt(i);
      line.append(Character.isISOControl(c) ? '?' : c);
    }
    if (message.length() > MAX_MESSAGE_CHARS) {
      line.append("...");
    }
    return line.toString();
  }
}
