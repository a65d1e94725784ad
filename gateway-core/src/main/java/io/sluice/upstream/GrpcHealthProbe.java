package io.sluice.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.config.Endpoint;
import java.nio.charset.StandardCharsets;

/**
 * The standard gRPC health check: a unary call of {@code grpc.health.v1.Health/Check} with
 * {@code HealthCheckRequest{service}}; it passes when the call ends with grpc-status 0 and
 * {@code HealthCheckResponse.status} is {@code SERVING}. Anything else fails it: NOT_SERVING,
 * UNKNOWN, NOT_FOUND for a service the server does not know, UNIMPLEMENTED from a server without
 * the health service.
 *
 * <p>The two messages are one field each, so they are encoded and decoded here by hand rather
 * than with a protobuf runtime: {@code HealthCheckRequest} is field 1, a string;
 * {@code HealthCheckResponse} is field 1, a varint enum.
 */
final class GrpcHealthProbe implements HealthProbe {

  static final String PATH = "/grpc.health.v1.Health/Check";
  static final int SERVING = 1;

  private static final String[] SERVING_STATUSES = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
  private static final String[] GRPC_CODES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
      "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
      "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  private static final int GRPC_NOT_FOUND = 5;
  private static final int GRPC_UNIMPLEMENTED = 12;
  private static final int FRAME_HEADER_BYTES = 5;
  private static final int MALFORMED = -1;

  /** The request as a gRPC length-prefixed message, built once: every probe sends the same bytes. */
  private final byte[] requestFrame;

  GrpcHealthProbe(String service) {
    this.requestFrame = requestFrame(service);
  }

  @Override
  public FullHttpRequest newRequest(Endpoint endpoint, ByteBufAllocator alloc) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, PATH,
        Unpooled.wrappedBuffer(requestFrame));
    request.headers()
        .set(HttpHeaderNames.HOST, endpoint.authority())
        .set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
        .set(HttpHeaderNames.TE, "trailers")
        .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
    return request;
  }

  @Override
  public int maxBodyBytes() {
    return 1024; // a HealthCheckResponse takes 7 bytes framed; more is not an answer to this call
  }

  @Override
  public String verdict(HttpResponse head, ByteBuf body, HttpHeaders trailers) {
    if (head.status().code() != 200) {
      return "HTTP status " + head.status().code() + " (expected: 200 with a gRPC response)";
    }
    // A trailers-only response (how gRPC answers errors) carries the status in its headers.
    String status = trailers.contains("grpc-status") ? trailers.get("grpc-status") : head.headers().get("grpc-status");
    if (status == null) {
      return "no grpc-status in the response (is the endpoint a gRPC server?)";
    }
    int code = grpcCode(status);
    if (code != 0) {
      String message = trailers.contains("grpc-status") ? trailers.get("grpc-message") : head.headers().get("grpc-message");
      return "grpc-status " + status + (code > 0 ? " " + GRPC_CODES[code] : "") + explain(code)
          + (message == null || message.isEmpty() ? "" : ": " + message);
    }
    int serving = servingStatus(body);
    if (serving == MALFORMED) {
      return "the answer is not a HealthCheckResponse";
    }
    return serving == SERVING ? null
        : "health status " + (serving < SERVING_STATUSES.length ? SERVING_STATUSES[serving] : Integer.toString(serving));
  }

  private static String explain(int code) {
    return switch (code) {
      case GRPC_UNIMPLEMENTED -> " (the server has no grpc.health.v1.Health service)";
      case GRPC_NOT_FOUND -> " (the server does not know the service asked about)";
      default -> "";
    };
  }

  /** The numeric code, -1 when it is not a known one. */
  private static int grpcCode(String status) {
    try {
      int code = Integer.parseInt(status);
      return code >= 0 && code < GRPC_CODES.length ? code : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** {@code 0, length, HealthCheckRequest}; the empty service is the default value, so the message is then empty. */
  static byte[] requestFrame(String service) {
    byte[] name = service.getBytes(StandardCharsets.UTF_8);
    ByteBuf frame = Unpooled.buffer();
    frame.writeByte(0).writeInt(0); // not compressed; the length is set below
    if (name.length > 0) {
      frame.writeByte(1 << 3 | 2); // field 1, length-delimited
      writeVarint(frame, name.length);
      frame.writeBytes(name);
    }
    frame.setInt(1, frame.readableBytes() - FRAME_HEADER_BYTES);
    return ByteBufUtil.getBytes(frame);
  }

  private static void writeVarint(ByteBuf out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.writeByte((int) (value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  /**
   * {@code HealthCheckResponse.status} from one uncompressed gRPC message; {@code UNKNOWN} (0) when
   * the field is absent, as protobuf reads a missing enum; {@link #MALFORMED} when the bytes are not
   * such a message. Unknown fields are skipped, as protobuf does.
   */
  static int servingStatus(ByteBuf body) {
    int start = body.readerIndex();
    if (body.readableBytes() < FRAME_HEADER_BYTES || body.getByte(start) != 0) {
      return MALFORMED; // compressed messages were not offered (no grpc-accept-encoding)
    }
    long length = body.getUnsignedInt(start + 1);
    if (length > body.readableBytes() - FRAME_HEADER_BYTES) {
      return MALFORMED;
    }
    ByteBuf message = body.slice(start + FRAME_HEADER_BYTES, (int) length);
    int status = 0;
    while (message.isReadable()) {
      long key = readVarint(message);
      if (key < 0) {
        return MALFORMED;
      }
      int wireType = (int) (key & 7);
      boolean skipped = switch (wireType) {
        case 0 -> {
          long value = readVarint(message);
          if (key >>> 3 == 1 && value >= 0) {
            status = (int) Math.min(value, Integer.MAX_VALUE);
          }
          yield value >= 0;
        }
        case 1 -> skip(message, 8);
        case 2 -> skip(message, readVarint(message));
        case 5 -> skip(message, 4);
        default -> false;
      };
      if (!skipped) {
        return MALFORMED;
      }
    }
    return status;
  }

  private static boolean skip(ByteBuf message, long bytes) {
    if (bytes < 0 || bytes > message.readableBytes()) {
      return false;
    }
    message.skipBytes((int) bytes);
    return true;
  }

  /** A varint of at most 63 bits; -1 when it is truncated or longer. */
  private static long readVarint(ByteBuf in) {
    long value = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      if (!in.isReadable()) {
        return -1;
      }
      byte b = in.readByte();
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return value;
      }
    }
    return -1;
  }
}
