/**
 * gRPC-specific pieces the proxy uses when an exchange carries gRPC: the {@code grpc-timeout}
 * header, and translation between gRPC-Web callers and gRPC (HTTP/2) upstreams.
 *
 * <p>Everything here is self-contained and runs on the exchange's event loop; nothing blocks or
 * locks. Parameters and return values are never {@code null} unless their javadoc says so.
 */
package io.sluice.grpc;
