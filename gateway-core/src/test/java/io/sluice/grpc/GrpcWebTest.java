package io.sluice.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcWebTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "application/grpc-web                  | false | application/grpc",
      "application/grpc-web+proto            | false | application/grpc+proto",
      "application/grpc-web+json             | false | application/grpc+json",
      "application/grpc-web-text             | true  | application/grpc",
      "application/grpc-web-text+proto       | true  | application/grpc+proto",
      "Application/GRPC-Web-Text+Proto       | true  | application/grpc+proto",
      "application/grpc-web+proto; charset=x | false | application/grpc+proto",
      "'  application/grpc-web-text ;a=b'    | true  | application/grpc",
  })
  void mapsGrpcWebContentTypesToGrpc(String contentType, boolean text, String upstream) {
    assertThat(GrpcWeb.isGrpcWeb(contentType)).isTrue();
    assertThat(GrpcWeb.isText(contentType)).isEqualTo(text);
    assertThat(GrpcWeb.toGrpc(contentType)).isEqualTo(upstream);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "application/grpc", "application/grpc+proto", "application/grpc-webx", "application/grpc-web-textx",
      "application/grpc-web-text-base64", "application/json", "text/grpc-web", "application/grpc-we"})
  void recognisesWhatIsNotGrpcWeb(String contentType) {
    assertThat(GrpcWeb.isGrpcWeb(contentType)).isFalse();
    assertThat(GrpcWeb.isText(contentType)).isFalse();
    assertThatThrownBy(() -> GrpcWeb.toGrpc(contentType)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void treatsAMissingContentTypeAsNotGrpcWeb() {
    assertThat(GrpcWeb.isGrpcWeb(null)).isFalse();
    assertThat(GrpcWeb.isText(null)).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "application/grpc                 | false | +proto | application/grpc-web",
      "application/grpc+proto           | false | ''     | application/grpc-web+proto",
      "application/grpc+json            | true  | +proto | application/grpc-web-text+json",
      "application/GRPC+Proto; q=1      | true  | ''     | application/grpc-web-text+proto",
      "text/html                        | false | +proto | application/grpc-web+proto",
      "application/grpc-web+thrift      | true  | +proto | application/grpc-web-text+proto",
  })
  void mapsTheUpstreamsContentTypeBackKeepingItsCodec(String upstream, boolean text, String fallback,
      String expected) {
    assertThat(GrpcWeb.toGrpcWeb(upstream, text, fallback)).isEqualTo(expected);
  }

  @Test
  void fallsBackToTheRequestsCodecWhenTheUpstreamSentNoContentType() {
    assertThat(GrpcWeb.toGrpcWeb(null, true, "+proto")).isEqualTo("application/grpc-web-text+proto");
  }

  @Test
  void findsTheTextFormatInAnAcceptList() {
    assertThat(GrpcWeb.acceptsText("application/grpc-web-text")).isTrue();
    assertThat(GrpcWeb.acceptsText("application/json, application/grpc-web-text+proto;q=0.9")).isTrue();
    assertThat(GrpcWeb.acceptsText("application/grpc-web-text ,*/*")).isTrue();
    assertThat(GrpcWeb.acceptsText("application/grpc-web, */*")).isFalse();
    assertThat(GrpcWeb.acceptsText("")).isFalse();
    assertThat(GrpcWeb.acceptsText(null)).isFalse();
  }

  @Test
  void listsTheHeadersBrowsersMustBeAllowedToRead() {
    assertThat(GrpcWeb.EXPOSED_HEADERS).contains("grpc-status", "grpc-message");
  }
}
