package io.sluice.grpc;

import static io.sluice.grpc.GrpcWebBase64Test.bytesOf;
import static io.sluice.grpc.GrpcWebBase64Test.text;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class GrpcWebSessionTest {

  private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  // One gRPC message frame: not compressed, length 3, bytes 1 2 3.
  private static final byte[] MESSAGE = {0, 0, 0, 0, 3, 1, 2, 3};

  private final GrpcWebSession session = new GrpcWebSession(ALLOC);

  @Test
  void rewritesABinaryRequestForTheUpstreamAndPassesItsBodyThrough() {
    HttpHeaders headers = new DefaultHttpHeaders()
        .add("content-type", "application/grpc-web+proto")
        .add("content-length", "8")
        .add("x-grpc-web", "1");

    session.requestHeaders(headers);
    ByteBuf chunk = buf(MESSAGE);
    ByteBuf forwarded = session.requestChunk(chunk);

    assertThat(headers.get("content-type")).isEqualTo("application/grpc+proto");
    assertThat(headers.get("te")).isEqualTo("trailers");
    assertThat(headers.get("content-length")).as("binary bodies keep their length").isEqualTo("8");
    assertThat(forwarded).as("the same buffer, not a copy").isSameAs(chunk);
    assertThat(bytesOf(forwarded)).isEqualTo(MESSAGE);
    assertThat(session.requestEnd().readableBytes()).isZero();
    assertThat(session.textResponse()).isFalse();
  }

  @Test
  void decodesATextRequestSplitAtEveryBoundary() {
    byte[] body = Base64.getEncoder().encode(MESSAGE);
    for (int cut = 0; cut <= body.length; cut++) {
      GrpcWebSession web = new GrpcWebSession(ALLOC);
      HttpHeaders headers = new DefaultHttpHeaders()
          .add("content-type", "application/grpc-web-text")
          .add("content-length", Integer.toString(body.length));
      web.requestHeaders(headers);

      ByteArrayOutputStream upstream = new ByteArrayOutputStream();
      upstream.writeBytes(bytesOf(web.requestChunk(buf(body, 0, cut))));
      upstream.writeBytes(bytesOf(web.requestChunk(buf(body, cut, body.length - cut))));
      upstream.writeBytes(bytesOf(web.requestEnd()));

      assertThat(upstream.toByteArray()).as("cut at %d", cut).isEqualTo(MESSAGE);
      assertThat(headers.get("content-type")).isEqualTo("application/grpc");
      assertThat(headers.contains("content-length")).as("decoding changes the length").isFalse();
      assertThat(web.textResponse()).isTrue();
    }
  }

  @Test
  void refusesATextRequestThatIsNotBase64AndReleasesIt() {
    session.requestHeaders(new DefaultHttpHeaders().add("content-type", "application/grpc-web-text+proto"));
    ByteBuf chunk = buf("AAAA!AAA".getBytes(US_ASCII));

    assertThatThrownBy(() -> session.requestChunk(chunk)).isInstanceOf(GrpcWebException.class);
    assertThat(chunk.refCnt()).isZero();
  }

  @Test
  void refusesARequestThatIsNotGrpcWeb() {
    HttpHeaders headers = new DefaultHttpHeaders().add("content-type", "application/grpc");

    assertThatThrownBy(() -> session.requestHeaders(headers)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void answersBinaryWithTheTrailersAsTheLastFrame() {
    session.requestHeaders(grpcWebRequest("application/grpc-web+proto"));
    HttpHeaders headers = new DefaultHttpHeaders()
        .add("content-type", "application/grpc+proto")
        .add("content-length", "8")
        .add("trailer", "grpc-status")
        .add("x-initial", "yes");

    HttpResponseStatus status = session.responseHeaders(HttpResponseStatus.OK, headers);
    ByteBuf chunk = buf(MESSAGE);
    ByteBuf toClient = session.responseChunk(chunk);
    byte[] end = bytesOf(session.responseEnd(new DefaultHttpHeaders().add("grpc-status", "0").add("x-trailer", "done")));

    assertThat(status).isEqualTo(HttpResponseStatus.OK);
    assertThat(headers.get("content-type")).isEqualTo("application/grpc-web+proto");
    assertThat(headers.contains("content-length")).isFalse();
    assertThat(headers.contains("trailer")).isFalse();
    assertThat(headers.get("x-initial")).isEqualTo("yes");
    assertThat(toClient).isSameAs(chunk);
    toClient.release();
    String block = "grpc-status: 0\r\nx-trailer: done\r\n";
    assertThat(latin1(end)).isEqualTo("\u0080\0\0\0" + (char) block.length() + block);
  }

  @Test
  void answersTextAsOneBase64StreamPaddedOnlyAtTheEnd() {
    session.requestHeaders(grpcWebRequest("application/grpc-web-text+proto"));
    HttpHeaders headers = new DefaultHttpHeaders().add("content-type", "application/grpc+proto");
    session.responseHeaders(HttpResponseStatus.OK, headers);

    StringBuilder body = new StringBuilder();
    body.append(text(session.responseChunk(buf(MESSAGE, 0, 4))));
    body.append(text(session.responseChunk(buf(MESSAGE, 4, 4))));
    body.append(text(session.responseEnd(new DefaultHttpHeaders().add("grpc-status", "0"))));

    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    plain.writeBytes(MESSAGE);
    plain.writeBytes("\u0080\0\0\0\u0010grpc-status: 0\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThat(body.toString()).isEqualTo(Base64.getEncoder().encodeToString(plain.toByteArray()));
    assertThat(headers.get("content-type")).isEqualTo("application/grpc-web-text+proto");
  }

  @Test
  void flushesHeldBytesPaddedSoAPausedStreamDeliversWholeMessages() {
    session.requestHeaders(grpcWebRequest("application/grpc-web-text"));
    session.responseHeaders(HttpResponseStatus.OK, new DefaultHttpHeaders().add("content-type", "application/grpc"));

    String first = text(session.responseChunk(buf(MESSAGE)));
    String flushed = text(session.responseFlush());

    assertThat(first).isEqualTo(Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(MESSAGE, 6)));
    assertThat(flushed).isEqualTo(Base64.getEncoder().encodeToString(new byte[] {2, 3}));
    assertThat(text(session.responseFlush())).as("nothing left to flush").isEmpty();
    assertThat(text(session.responseEnd(EmptyHttpHeaders.INSTANCE)))
        .isEqualTo(Base64.getEncoder().encodeToString(new byte[] {(byte) 0x80, 0, 0, 0, 0}));
  }

  @Test
  void answersTextWhenOnlyAcceptAsksForIt() {
    session.requestHeaders(new DefaultHttpHeaders()
        .add("content-type", "application/grpc-web+proto")
        .add("accept", "application/grpc-web-text"));
    HttpHeaders headers = new DefaultHttpHeaders().add("content-type", "application/grpc+proto");
    session.responseHeaders(HttpResponseStatus.OK, headers);

    assertThat(session.textResponse()).isTrue();
    assertThat(headers.get("content-type")).isEqualTo("application/grpc-web-text+proto");
    assertThat(text(session.responseChunk(buf(MESSAGE)))).isEqualTo("AAAAAAMB");
    bytesOf(session.responseEnd(EmptyHttpHeaders.INSTANCE));
  }

  @Test
  void movesATrailersOnlyStatusIntoTheBodyWithStatus200() {
    session.requestHeaders(grpcWebRequest("application/grpc-web"));
    // As the gateway renders its own errors, and as an upstream answers with Trailers-Only.
    HttpHeaders headers = new DefaultHttpHeaders()
        .add("content-type", "application/grpc")
        .add("content-length", "0")
        .add("grpc-status", "14")
        .add("grpc-message", "no healthy endpoint %E2%9C%97")
        .add("x-request-id", "r-1");

    HttpResponseStatus status = session.responseHeaders(HttpResponseStatus.SERVICE_UNAVAILABLE, headers);
    byte[] end = bytesOf(session.responseEnd(EmptyHttpHeaders.INSTANCE));

    assertThat(status).isEqualTo(HttpResponseStatus.OK);
    assertThat(headers.names()).containsExactlyInAnyOrder("content-type", "x-request-id");
    assertThat(headers.get("content-type")).isEqualTo("application/grpc-web");
    String block = "grpc-status: 14\r\ngrpc-message: no healthy endpoint %E2%9C%97\r\n";
    assertThat(latin1(end)).isEqualTo("\u0080\0\0\0" + (char) block.length() + block);
  }

  @Test
  void movesATrailersOnlyStatusIntoATextBody() {
    session.requestHeaders(grpcWebRequest("application/grpc-web-text"));
    HttpHeaders headers = new DefaultHttpHeaders().add("grpc-status", "5").add("grpc-status-details-bin", "CAU");

    session.responseHeaders(HttpResponseStatus.OK, headers);
    String end = text(session.responseEnd(EmptyHttpHeaders.INSTANCE));

    String block = "grpc-status: 5\r\ngrpc-status-details-bin: CAU\r\n";
    assertThat(latin1(Base64.getDecoder().decode(end)))
        .isEqualTo("\u0080\0\0\0" + (char) block.length() + block);
    assertThat(headers.get("content-type")).isEqualTo("application/grpc-web-text");
  }

  @Test
  void passesAnAnswerThatIsNotGrpcThroughUntouched() {
    session.requestHeaders(grpcWebRequest("application/grpc-web-text"));
    HttpHeaders headers = new DefaultHttpHeaders().add("content-type", "text/html").add("content-length", "5");

    HttpResponseStatus status = session.responseHeaders(HttpResponseStatus.BAD_GATEWAY, headers);
    ByteBuf chunk = buf("oops!".getBytes(US_ASCII));
    ByteBuf toClient = session.responseChunk(chunk);
    ByteBuf end = session.responseEnd(EmptyHttpHeaders.INSTANCE);

    assertThat(status).isEqualTo(HttpResponseStatus.BAD_GATEWAY);
    assertThat(headers.get("content-type")).isEqualTo("text/html");
    assertThat(headers.get("content-length")).isEqualTo("5");
    assertThat(toClient).isSameAs(chunk);
    toClient.release();
    assertThat(end.readableBytes()).isZero();
    assertThat(text(session.responseFlush())).isEmpty();
  }

  private static String latin1(byte[] bytes) {
    return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static HttpHeaders grpcWebRequest(String contentType) {
    return new DefaultHttpHeaders().add("content-type", contentType);
  }

  private static ByteBuf buf(byte[] bytes) {
    return buf(bytes, 0, bytes.length);
  }

  private static ByteBuf buf(byte[] bytes, int from, int length) {
    return ALLOC.buffer(length).writeBytes(bytes, from, length);
  }
}
