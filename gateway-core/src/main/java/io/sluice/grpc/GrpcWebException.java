package io.sluice.grpc;

/**
 * A gRPC-Web request body that cannot be translated (malformed base64). The caller should answer
 * with {@code ErrorCode.BAD_REQUEST}; the message says what was wrong and where, and is safe to
 * show the client.
 */
public final class GrpcWebException extends RuntimeException {

  GrpcWebException(String message) {
    // No stack trace: this is a client mistake reported as a value, not a bug to debug.
    super(message, null, false, false);
  }
}
