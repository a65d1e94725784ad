package io.sluice.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AllowedOriginsTest {

  static Stream<Arguments> matrix() {
    return Stream.of(
        // exact origins
        Arguments.of("https://app.example.com", "https://app.example.com", true),
        Arguments.of("https://app.example.com", "https://other.example.com", false),
        Arguments.of("https://app.example.com", "http://app.example.com", false),
        Arguments.of("https://app.example.com", "https://app.example.com:8443", false),
        Arguments.of("https://app.example.com", "https://app.example.com.evil.test", false),
        Arguments.of("https://app.example.com:443", "https://app.example.com", true),
        Arguments.of("http://localhost:5173", "http://localhost:5173", true),
        Arguments.of("http://localhost:5173", "http://localhost:5174", false),
        Arguments.of("http://localhost:5173", "http://127.0.0.1:5173", false),
        Arguments.of("http://[::1]:8080", "http://[::1]:8080", true),
        // patterns: one or more labels, never the bare domain, never another scheme or port
        Arguments.of("https://*.example.com", "https://a.example.com", true),
        Arguments.of("https://*.example.com", "https://a.b.example.com", true),
        Arguments.of("https://*.example.com", "https://pr-12.preview.example.com", true),
        Arguments.of("https://*.example.com", "https://example.com", false),
        Arguments.of("https://*.example.com", "https://.example.com", false),
        Arguments.of("https://*.example.com", "https://a..example.com", false),
        Arguments.of("https://*.example.com", "https://evil-example.com", false),
        Arguments.of("https://*.example.com", "https://a.example.com.evil.test", false),
        Arguments.of("https://*.example.com", "http://a.example.com", false),
        Arguments.of("https://*.example.com", "https://a.example.com:8443", false),
        Arguments.of("https://*.example.com", "https://evil.test/.example.com", false),
        Arguments.of("https://*.example.com", "https://evil.test:1@x.example.com", false),
        Arguments.of("https://*.example.com", "https://A.example.com", false),
        Arguments.of("https://*.example.com", "null", false),
        Arguments.of("https://*.example.com:8443", "https://a.example.com:8443", true),
        Arguments.of("https://*.example.com:8443", "https://a.example.com", false),
        Arguments.of("https://*.example.com:8443", "https://a.example.com:9443", false),
        // null only when listed literally
        Arguments.of("null", "null", true),
        Arguments.of("https://app.example.com", "null", false),
        // * is any origin, null included
        Arguments.of("*", "https://anything.test", true),
        Arguments.of("*", "null", true));
  }

  @ParameterizedTest(name = "{0} allows {1}: {2}")
  @MethodSource("matrix")
  void allowsExactlyWhatIsListed(String entry, String origin, boolean allowed) {
    AllowedOrigins origins = AllowedOrigins.of(List.of(AllowedOrigins.normalize(entry)));

    assertThat(origins.allows(origin)).isEqualTo(allowed);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("normalizations")
  void normalizesEntriesTheWayBrowsersSendOrigins(String entry, String normalized) {
    assertThat(AllowedOrigins.normalize(entry)).isEqualTo(normalized);
  }

  static Stream<Arguments> normalizations() {
    return Stream.of(
        Arguments.of("HTTPS://App.Example.COM", "https://app.example.com"),
        Arguments.of("https://app.example.com:443", "https://app.example.com"),
        Arguments.of("http://app.example.com:80", "http://app.example.com"),
        Arguments.of("http://app.example.com:443", "http://app.example.com:443"),
        Arguments.of("https://bücher.example", "https://xn--bcher-kva.example"),
        Arguments.of("https://*.Example.com", "https://*.example.com"),
        Arguments.of("http://[::1]:8080", "http://[::1]:8080"),
        Arguments.of("capacitor://localhost", "capacitor://localhost"),
        Arguments.of("NULL", "null"),
        Arguments.of("*", "*"));
  }
}
