package io.sluice.spi;

import java.time.Duration;

/**
 * How an exchange ended, for {@link Plugin#onComplete}.
 *
 * @param status the status the client got ({@code 499} when it went away first)
 * @param error the error the gateway answered with, or {@code null}
 * @param aborted why the exchange was cut short ({@code client_closed}, {@code upstream_closed}, ...), or empty
 * @param duration from the request head to the end of the exchange
 * @param upstreamLatency from sending upstream to the response head, or {@code null} when no upstream answered
 * @param routeId the matched route
 * @param upstreamEndpoint the endpoint the request went to ({@code host:port}), or {@code null}
 * @param requestBytes body bytes received from the client
 * @param responseBytes body bytes sent to the client
 */
public record Outcome(
    int status,
    GatewayError error,
    String aborted,
    Duration duration,
    Duration upstreamLatency,
    String routeId,
    String upstreamEndpoint,
    long requestBytes,
    long responseBytes) {}
