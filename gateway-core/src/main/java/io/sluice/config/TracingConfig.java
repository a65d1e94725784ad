package io.sluice.config;

/**
 * {@code server.tracing:} W3C trace context.
 *
 * @param propagate whether the gateway takes part in traces: it reads {@code traceparent} (starting a new trace when
 *     it is absent or invalid), sends the upstream a {@code traceparent} with its own span id, and logs the trace
 *     id; when {@code false}, {@code traceparent} and {@code tracestate} pass through untouched like other headers
 * @param sampled the sampled flag of the traces the gateway starts
 */
public record TracingConfig(boolean propagate, boolean sampled) {

  public static final TracingConfig DEFAULTS = new TracingConfig(true, true);
}
