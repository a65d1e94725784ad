package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

class Http2RequestFieldsTest {

  private static Http2Headers get(String path) {
    return new DefaultHttp2Headers().method("GET").scheme("https").authority("api.example.com").path(path);
  }

  @Test
  void theRequestLineComesFromThePseudoHeaderFieldsAndTheAuthorityBecomesHost() throws Exception {
    HttpRequest request = Http2RequestFields.request(1, get("/orders?id=7").add("accept", "application/json"), true);

    assertThat(request.method().name()).isEqualTo("GET");
    assertThat(request.uri()).isEqualTo("/orders?id=7");
    assertThat(request.headers().names()).containsExactly("host", "accept");
    assertThat(request.headers().get("host")).isEqualTo("api.example.com");
  }

  @Test
  void cookieFieldsAreJoinedIntoOne() throws Exception {
    HttpRequest request = Http2RequestFields.request(1, get("/").add("cookie", "a=1").add("x-other", "o").add("cookie", "b=2"), true);

    assertThat(request.headers().getAll("cookie")).containsExactly("a=1; b=2");
  }

  @Test
  void aHostFieldThatAgreesWithTheAuthorityIsDroppedAndOneThatDoesNotResetsTheStream() throws Exception {
    assertThat(Http2RequestFields.request(1, get("/").add("host", "API.example.com"), true).headers().getAll("host"))
        .containsExactly("api.example.com");

    assertThatThrownBy(() -> Http2RequestFields.request(3, get("/").add("host", "evil.example"), true))
        .isInstanceOfSatisfying(Http2Exception.StreamException.class, error -> {
          assertThat(error.streamId()).isEqualTo(3);
          assertThat(error.error()).isEqualTo(Http2Error.PROTOCOL_ERROR);
        });
  }

  @Test
  void withoutAnAuthorityTheHostFieldIsTheHost() throws Exception {
    Http2Headers head = new DefaultHttp2Headers().method("GET").scheme("http").path("/").add("host", "h.example");

    assertThat(Http2RequestFields.request(1, head, true).headers().getAll("host")).containsExactly("h.example");
  }

  @Test
  void extensionAndFramingFieldsAreLeftOut() throws Exception {
    HttpRequest request = Http2RequestFields.request(1,
        get("/").add("x-http2-stream-id", "9").add("x-http2-scheme", "ftp").add("trailer", "x").add("x-kept", "k"), true);

    assertThat(request.headers().names()).containsExactly("host", "x-kept");
  }

  @Test
  void aBodyOfUnknownLengthIsMarkedChunkedAndOneOfKnownLengthIsNot() throws Exception {
    assertThat(Http2RequestFields.request(1, get("/"), false).headers().get("transfer-encoding")).isEqualTo("chunked");
    assertThat(Http2RequestFields.request(1, get("/").add("content-length", "5"), false).headers().contains("transfer-encoding"))
        .isFalse();
    assertThat(Http2RequestFields.request(1, get("/"), true).headers().contains("transfer-encoding")).isFalse();
  }

  @Test
  void connectTargetsTheAuthorityAndARequestWithoutMethodOrPathResetsTheStream() throws Exception {
    Http2Headers connect = new DefaultHttp2Headers().method("CONNECT").authority("db.internal:5432");
    assertThat(Http2RequestFields.request(1, connect, false).uri()).isEqualTo("db.internal:5432");

    assertThatThrownBy(() -> Http2RequestFields.request(5, new DefaultHttp2Headers().method("GET"), true))
        .isInstanceOf(Http2Exception.StreamException.class);
  }
}
