package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.sluice.spi.Headers;
import org.junit.jupiter.api.Test;

class HeaderNameCacheTest {

  private final HeaderNameCache cache = new HeaderNameCache(16);

  @Test
  void aNameIsConvertedOnceAndKeepsItsSpelling() {
    CharSequence first = cache.checked("X-Cache-Test-Spelling");
    assertThat(first).isInstanceOf(AsciiString.class).hasToString("X-Cache-Test-Spelling");
    assertThat(cache.checked("X-Cache-Test-Spelling")).isSameAs(first);
    assertThat(cache.lookup("X-Cache-Test-Spelling")).isSameAs(first);
    assertThat(cache.lookup("x-cache-test-spelling")).isNotSameAs(first).hasToString("x-cache-test-spelling");
  }

  @Test
  void anInvalidNameIsLookedUpAsItIsAndRefusedForWriting() {
    assertThat(cache.lookup("bad name")).isEqualTo("bad name");
    assertThat(cache.lookup(null)).isNull();
    assertThatThrownBy(() -> cache.checked("bad name"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("header name 'bad name' is not a token");
    assertThatThrownBy(() -> cache.checked("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cache.checked(null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(cache.size()).isZero();
  }

  @Test
  void namesMadeUpPerRequestDoNotGrowItBeyondItsBound() {
    for (int i = 0; i < 50; i++) {
      assertThat(cache.checked("x-made-up-" + i)).hasToString("x-made-up-" + i);
    }
    assertThat(cache.size()).isEqualTo(16);
    assertThat(cache.lookup("x-made-up-40")).isInstanceOf(AsciiString.class).hasToString("x-made-up-40");
    assertThat(cache.size()).isEqualTo(16);
  }

  @Test
  void pluginsReadAndWriteThroughItCaseInsensitivelyWithTheirSpellingOnTheWire() {
    HttpHeaders netty = new DefaultHttpHeaders();
    netty.add("vary", "Accept-Encoding");
    Headers headers = new NettyHeaders(netty);

    headers.set("Access-Control-Allow-Origin", "https://app.example.com").add("Vary", "Origin");

    assertThat(headers.get("VARY")).isEqualTo("Accept-Encoding");
    assertThat(headers.getAll("Vary")).containsExactly("Accept-Encoding", "Origin");
    assertThat(headers.contains("access-control-allow-origin")).isTrue();
    assertThat(netty.names()).contains("Access-Control-Allow-Origin");
    headers.remove("ACCESS-CONTROL-ALLOW-ORIGIN");
    assertThat(headers.contains("Access-Control-Allow-Origin")).isFalse();
    assertThatThrownBy(() -> headers.set("Bad Name", "x")).isInstanceOf(IllegalArgumentException.class);
  }
}
