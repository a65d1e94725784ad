package io.sluice.logging;

import java.util.Set;

/**
 * What the access log knows of one ended exchange: made on the event loop from the exchange (only references and
 * numbers, no formatting), formatted later on the writer thread. Absent text is {@code null}, absent numbers are
 * negative.
 *
 * @param epochMillis when the exchange ended
 * @param requestId the request id, as sent to the upstream and the client
 * @param traceId the W3C trace id (32 hex digits), or {@code null} when tracing is off
 * @param peerIp the IP of the TCP peer
 * @param clientIp the client's IP behind trusted proxies (the peer's unless it is a trusted proxy)
 * @param listener the name of the listener the request came in on
 * @param protocol {@code HTTP/1.0}, {@code HTTP/1.1}, {@code HTTP/2}, {@code gRPC} or {@code gRPC-Web}
 * @param method the request method, or {@code -} when no request head was read
 * @param host the request's host (normalized), or {@code null}
 * @param target the request target as the client sent it (path and query), or {@code -}
 * @param secretParameters query parameters whose values are written as {@value QueryRedaction#REDACTED}
 * @param route the id of the matched route, or {@code null}
 * @param upstream the upstream endpoint ({@code host:port}), or {@code null}
 * @param status the HTTP status sent to the client ({@code 499} when the client went away first)
 * @param grpcStatus the gRPC status of a gRPC call, or {@code -1}
 * @param errorCode the code of the error the gateway answered with, or {@code null}
 * @param errorSource who caused that error ({@code client}, {@code gateway}, {@code upstream}, {@code plugin}), or {@code null}
 * @param errorDetails its operator-only details, or {@code null}
 * @param abort why the exchange was cut short ({@code client_closed}, ...), or {@code null}
 * @param bytesIn request body bytes received
 * @param bytesOut response body bytes sent
 * @param durationNanos from the request head to the end of the exchange
 * @param upstreamNanos from sending upstream to the upstream's response head, or {@code -1}
 * @param pluginNames the plugins of the route's request chain, in order, or {@code null} for none
 * @param pluginNanos the time each took to decide (awaits included), {@code -1} for one that did not run
 * @param subject the authenticated subject, or {@code null}
 * @param consumer the authenticated consumer, or {@code null}
 * @param attempts how many times the request was sent upstream (a retry on a fresh connection counts), 0 when not
 */
public record AccessLogEntry(
    long epochMillis,
    String requestId,
    String traceId,
    String peerIp,
    String clientIp,
    String listener,
    String protocol,
    String method,
    String host,
    String target,
    Set<String> secretParameters,
    String route,
    String upstream,
    int status,
    int grpcStatus,
    String errorCode,
    String errorSource,
    String errorDetails,
    String abort,
    long bytesIn,
    long bytesOut,
    long durationNanos,
    long upstreamNanos,
    String[] pluginNames,
    long[] pluginNanos,
    String subject,
    String consumer,
    int attempts) {}
