package io.sluice.grpc;

import java.util.List;

/**
 * gRPC-Web content types and how they map to gRPC's
 * (<a href="https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md">PROTOCOL-WEB</a>).
 *
 * <p>{@code application/grpc-web[+codec]} is gRPC framing over any HTTP version;
 * {@code application/grpc-web-text[+codec]} is the same, base64-encoded. Both map to
 * {@code application/grpc[+codec]} upstream. Matching ignores case and parameters
 * ({@code ; charset=...}) and allocates nothing.
 *
 * <p>CORS is the cors plugin's job, but browsers only let gRPC-Web read the status if it is
 * exposed. A route serving browsers from another origin needs:
 * <ul>
 *   <li>{@code expose_headers}: {@code grpc-status}, {@code grpc-message},
 *       {@code grpc-status-details-bin} ({@link #EXPOSED_HEADERS}), plus any custom response
 *       metadata the application reads. They are needed even though the status travels in the
 *       body: a trailers-only answer, or an HTTP error from a non-gRPC hop, puts them in headers;
 *   <li>{@code allow_headers}: {@code content-type}, {@code x-grpc-web}, {@code x-user-agent},
 *       {@code grpc-timeout} ({@link #ALLOWED_REQUEST_HEADERS}), plus the application's request
 *       metadata (e.g. {@code authorization});
 *   <li>{@code allow_methods}: {@code POST} (the preflight itself is {@code OPTIONS}).
 * </ul>
 */
public final class GrpcWeb {

  /** Response headers a browser client must be allowed to read. */
  public static final List<String> EXPOSED_HEADERS =
      List.of("grpc-status", "grpc-message", "grpc-status-details-bin");

  /** Request headers the gRPC-Web JavaScript client sends besides the application's metadata. */
  public static final List<String> ALLOWED_REQUEST_HEADERS =
      List.of("content-type", "x-grpc-web", "x-user-agent", "grpc-timeout");

  static final String GRPC = "application/grpc";
  private static final String WEB = "application/grpc-web";
  private static final String TEXT = "-text";

  private static final int NONE = 0;
  private static final int BINARY = 1;
  private static final int TEXT_FORMAT = 2;

  private GrpcWeb() {}

  /** Whether {@code contentType} (may be {@code null}) is either gRPC-Web format. */
  public static boolean isGrpcWeb(CharSequence contentType) {
    return contentType != null && format(contentType, 0, contentType.length()) != NONE;
  }

  /** Whether {@code contentType} (may be {@code null}) is the base64 format, {@code -text}. */
  public static boolean isText(CharSequence contentType) {
    return contentType != null && format(contentType, 0, contentType.length()) == TEXT_FORMAT;
  }

  /**
   * The upstream content type for a gRPC-Web one: {@code application/grpc-web-text+proto} becomes
   * {@code application/grpc+proto}. Parameters are dropped.
   *
   * @throws IllegalArgumentException if {@code contentType} is not gRPC-Web
   */
  public static String toGrpc(CharSequence contentType) {
    if (!isGrpcWeb(contentType)) {
      throw new IllegalArgumentException(
          "content-type: " + contentType + " (expected: application/grpc-web or application/grpc-web-text)");
    }
    return GRPC + codec(contentType);
  }

  /**
   * The content type to answer a gRPC-Web caller with, given the upstream's: the upstream's codec
   * suffix is kept ({@code application/grpc+json} becomes {@code application/grpc-web+json}).
   * Falls back to {@code fallbackCodec} (such as {@code "+proto"}, or empty) when the upstream's
   * is {@code null} or not a gRPC content type.
   */
  public static String toGrpcWeb(CharSequence upstreamContentType, boolean text, String fallbackCodec) {
    String codec = fallbackCodec;
    if (isGrpc(upstreamContentType)) {
      int start = skipSpaces(upstreamContentType, 0);
      int end = mediaTypeEnd(upstreamContentType, start, upstreamContentType.length());
      codec = lowerCase(upstreamContentType, start + GRPC.length(), end);
    }
    return (text ? WEB + TEXT : WEB) + codec;
  }

  /** The codec suffix of a gRPC-Web content type, such as {@code "+proto"}; empty if none or not gRPC-Web. */
  public static String codec(CharSequence grpcWebContentType) {
    if (grpcWebContentType == null) {
      return "";
    }
    int format = format(grpcWebContentType, 0, grpcWebContentType.length());
    if (format == NONE) {
      return "";
    }
    int start = skipSpaces(grpcWebContentType, 0);
    int codecStart = start + WEB.length() + (format == TEXT_FORMAT ? TEXT.length() : 0);
    int end = mediaTypeEnd(grpcWebContentType, start, grpcWebContentType.length());
    return lowerCase(grpcWebContentType, codecStart, end);
  }

  /** Whether {@code contentType} (may be {@code null}) is native gRPC: {@code application/grpc[+codec]}. */
  static boolean isGrpc(CharSequence contentType) {
    if (contentType == null) {
      return false;
    }
    int start = skipSpaces(contentType, 0);
    int end = mediaTypeEnd(contentType, start, contentType.length());
    return regionMatches(contentType, start, GRPC, end) && hasCodecOrEnds(contentType, start + GRPC.length(), end);
  }

  /** Whether an {@code accept} header (may be {@code null}) lists the text format. */
  static boolean acceptsText(CharSequence accept) {
    if (accept == null) {
      return false;
    }
    int start = 0;
    while (start <= accept.length()) {
      int comma = indexOf(accept, ',', start, accept.length());
      int end = comma < 0 ? accept.length() : comma;
      if (format(accept, start, end) == TEXT_FORMAT) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  // Which gRPC-Web format the media type in value[from, to) is, ignoring spaces and parameters.
  private static int format(CharSequence value, int from, int to) {
    int start = skipSpaces(value, from);
    int end = mediaTypeEnd(value, start, to);
    if (!regionMatches(value, start, WEB, end)) {
      return NONE;
    }
    int afterWeb = start + WEB.length();
    if (hasCodecOrEnds(value, afterWeb, end)) {
      return BINARY;
    }
    if (regionMatches(value, afterWeb, TEXT, end) && hasCodecOrEnds(value, afterWeb + TEXT.length(), end)) {
      return TEXT_FORMAT;
    }
    return NONE;
  }

  // The end of the media type in value[start, to): before any parameters and trailing spaces.
  private static int mediaTypeEnd(CharSequence value, int start, int to) {
    int semicolon = indexOf(value, ';', start, to);
    int end = semicolon < 0 ? to : semicolon;
    while (end > start && isSpace(value.charAt(end - 1))) {
      end--;
    }
    return end;
  }

  private static int skipSpaces(CharSequence value, int from) {
    int i = from;
    while (i < value.length() && isSpace(value.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean hasCodecOrEnds(CharSequence value, int at, int end) {
    return at == end || (at < end && value.charAt(at) == '+');
  }

  private static boolean regionMatches(CharSequence value, int at, String expected, int end) {
    if (at + expected.length() > end) {
      return false;
    }
    for (int i = 0; i < expected.length(); i++) {
      if (toLower(value.charAt(at + i)) != expected.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static String lowerCase(CharSequence value, int start, int end) {
    StringBuilder out = new StringBuilder(Math.max(0, end - start));
    for (int i = start; i < end; i++) {
      out.append(toLower(value.charAt(i)));
    }
    return out.toString();
  }

  private static int indexOf(CharSequence value, char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (value.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }

  private static char toLower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }
}
