package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Http2ResponseFieldsTest {

  @Test
  void aHeadHasTheStatusAndEveryFieldInOrderWithItsNameInLowerCase() {
    HttpHeaders fields = new DefaultHttpHeaders()
        .add("Content-Type", "text/plain")
        .add(AsciiString.of("x-request-id"), "01ABC")
        .add("Set-Cookie", "a=1")
        .add("set-cookie", "b=2")
        .add("ETag", "\"v1\"");

    Http2Headers head = Http2ResponseFields.head(HttpResponseStatus.CREATED, fields);

    assertThat(head.status()).hasToString("201");
    assertThat(names(head)).containsExactly(":status", "content-type", "x-request-id", "set-cookie", "set-cookie", "etag");
    assertThat(head.getAll("set-cookie")).extracting(CharSequence::toString).containsExactly("a=1", "b=2");
    assertThat(head.get("etag")).hasToString("\"v1\"");
  }

  @Test
  void connectionSpecificFieldsAreLeftOut() {
    HttpHeaders fields = new DefaultHttpHeaders()
        .add("Keep-Alive", "timeout=5")
        .add("Transfer-Encoding", "chunked")
        .add("Proxy-Connection", "keep-alive")
        .add("Upgrade", "h2c")
        .add("Host", "example.com")
        .add("x-http2-stream-id", "3")
        .add("Content-Length", "5");

    assertThat(names(Http2ResponseFields.head(HttpResponseStatus.OK, fields))).containsExactly(":status", "content-length");
  }

  @Test
  void theFieldsThatConnectionNamesAreLeftOutWithIt() {
    HttpHeaders fields = new DefaultHttpHeaders()
        .add("Connection", "close, X-Hop")
        .add("X-Hop", "1")
        .add("X-Kept", "2");

    assertThat(names(Http2ResponseFields.head(HttpResponseStatus.OK, fields))).containsExactly(":status", "x-kept");
  }

  @Test
  void trailersHaveNoStatus() {
    HttpHeaders fields = new DefaultHttpHeaders().add("Grpc-Status", "0").add("grpc-message", "ok");

    assertThat(names(Http2ResponseFields.trailers(fields))).containsExactly("grpc-status", "grpc-message");
  }

  @Test
  void wellKnownNamesBecomeNettysConstantsWithoutACopy() {
    assertThat((Object) LowerCaseNames.of("Content-Type")).isSameAs(HttpHeaderNames.CONTENT_TYPE);
    assertThat((Object) LowerCaseNames.of(AsciiString.of("CONTENT-LENGTH"))).isSameAs(HttpHeaderNames.CONTENT_LENGTH);
    assertThat((Object) LowerCaseNames.of("date")).isSameAs(HttpHeaderNames.DATE);
    assertThat((Object) LowerCaseNames.of("Server")).isSameAs(HttpHeaderNames.SERVER);
    assertThat((Object) LowerCaseNames.of("ETag")).isSameAs(HttpHeaderNames.ETAG);
  }

  @Test
  void otherNamesAreKeptWhenInLowerCaseAndCopiedOnceOtherwise() {
    AsciiString lower = AsciiString.of("x-custom");
    assertThat((Object) LowerCaseNames.of(lower)).isSameAs(lower);
    assertThat((Object) LowerCaseNames.of("X-Request-ID")).isEqualTo(AsciiString.of("x-request-id"));
    assertThat((Object) LowerCaseNames.of(AsciiString.of("X-Custom-Thing"))).isEqualTo(AsciiString.of("x-custom-thing"));
    assertThat((Object) LowerCaseNames.of("Content-Typo")).isEqualTo(AsciiString.of("content-typo"));
  }

  private static List<String> names(Http2Headers headers) {
    List<String> names = new ArrayList<>();
    headers.forEach(field -> names.add(field.getKey().toString()));
    return names;
  }
}
