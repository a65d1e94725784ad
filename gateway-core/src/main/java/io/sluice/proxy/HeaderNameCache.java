package io.sluice.proxy;

import io.netty.util.AsciiString;
import io.sluice.spi.Headers;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The header names plugins pass through the SPI, and those of a route's header rules, as
 * {@link AsciiString}s kept from one request to the next. Netty's header maps hash a name on every
 * lookup, case-insensitively and character by character for a {@code String}, while an
 * {@code AsciiString} keeps its hash; plugins and routes use the same few names on every request,
 * so each is converted (and validated) once. The spelling is kept as given, so what goes on the
 * wire does not change.
 */
final class HeaderNameCache {

  /** The one the gateway's header views share. */
  static final HeaderNameCache SHARED = new HeaderNameCache(1024);

  private final ConcurrentHashMap<String, AsciiString> names = new ConcurrentHashMap<>();
  /** Bounds the cache for plugins that make up names per request; names beyond it are converted each time. */
  private final int maxNames;

  HeaderNameCache(int maxNames) {
    this.maxNames = maxNames;
  }

  /** The name to look up with: its cached {@code AsciiString}, or the name itself if it is not a valid token. */
  CharSequence lookup(String name) {
    if (name == null) {
      return null; // Netty's maps refuse it, as they did before
    }
    AsciiString cached = names.get(name);
    if (cached != null) {
      return cached;
    }
    return Headers.isValidName(name) ? remember(name) : name;
  }

  /**
   * The name to write with, checked to be a token.
   *
   * @throws IllegalArgumentException if it is not
   */
  CharSequence checked(String name) {
    CharSequence checked = lookup(name);
    if (!(checked instanceof AsciiString)) { // lookup converts valid tokens only
      throw new IllegalArgumentException("header name '" + name + "' is not a token");
    }
    return checked;
  }

  /** A valid token is ASCII, so the conversion loses nothing. */
  private AsciiString remember(String name) {
    AsciiString ascii = new AsciiString(name);
    if (names.size() < maxNames) {
      AsciiString raced = names.putIfAbsent(name, ascii);
      return raced != null ? raced : ascii;
    }
    return ascii;
  }

  int size() {
    return names.size();
  }
}
