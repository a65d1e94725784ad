package io.sluice.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.sluice.config.Endpoint;
import io.sluice.config.HealthCheckConfig;

/**
 * What a health check asks an endpoint and how it judges the answer, apart from how the request
 * travels (HTTP/1.1 or an HTTP/2 stream; {@link ProbeCall} does that). One per upstream, shared by
 * its probes; stateless.
 */
sealed interface HealthProbe permits HttpHealthProbe, GrpcHealthProbe {

  /** {@code user-agent} of every probe, so that upstreams can tell probes from traffic (and keep them out of access logs). */
  String USER_AGENT = "sluice-health-check";

  static HealthProbe of(HealthCheckConfig config) {
    return switch (config.type()) {
      case HTTP -> new HttpHealthProbe(config);
      case GRPC -> new GrpcHealthProbe(config.service());
    };
  }

  /** A new request for one probe of {@code endpoint}; the caller owns (and writes) it. */
  FullHttpRequest newRequest(Endpoint endpoint, ByteBufAllocator alloc);

  /**
   * How much of the response body {@link #verdict} needs; 0 when the head alone decides, and the
   * verdict is given as soon as it arrives, with an empty body and no trailers.
   */
  int maxBodyBytes();

  /**
   * Judges a whole response.
   *
   * @param body the first {@link #maxBodyBytes} of the body (empty when none are needed); not released here
   * @param trailers the response's trailers, empty when it had none
   * @return {@code null} when the endpoint passed, else why it failed, as a phrase for the log
   */
  String verdict(HttpResponse head, ByteBuf body, HttpHeaders trailers);
}
