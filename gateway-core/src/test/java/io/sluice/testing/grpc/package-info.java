/**
 * A real gRPC peer for tests: grpc-java (Netty, shaded) with raw {@code byte[]} messages, no
 * protobuf. {@link io.sluice.testing.grpc.GrpcTestServer} serves {@code test.Echo}
 * ({@link io.sluice.testing.grpc.EchoService}); {@link io.sluice.testing.grpc.GrpcTestClient}
 * calls it, directly or through the gateway. Ships in gateway-core's test-jar.
 */
package io.sluice.testing.grpc;
