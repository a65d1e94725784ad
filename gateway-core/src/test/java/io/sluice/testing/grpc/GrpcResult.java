package io.sluice.testing.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import java.util.List;

/**
 * Everything a finished call showed the client: its status, response headers, messages and
 * trailers. Headers are empty for a trailers-only answer (gRPC reports those as trailers).
 */
public record GrpcResult(Status status, Metadata headers, List<byte[]> messages, Metadata trailers) {

  /** The only message; fails when there was not exactly one. */
  public byte[] message() {
    if (messages.size() != 1) {
      throw new AssertionError("expected one message, got " + messages.size() + " (status " + status + ")");
    }
    return messages.getFirst();
  }

  public String header(String name) {
    return headers.get(EchoService.ascii(name));
  }

  public byte[] binaryHeader(String name) {
    return headers.get(EchoService.binary(name));
  }

  public String trailer(String name) {
    return trailers.get(EchoService.ascii(name));
  }

  public byte[] binaryTrailer(String name) {
    return trailers.get(EchoService.binary(name));
  }
}
