package io.sluice.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.spi.Headers;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The SPI's {@link Headers} over Netty's, checking what plugins write. Names go through
 * {@link HeaderNameCache}, so a plugin's fixed names are hashed and validated once, not per request.
 */
final class NettyHeaders implements Headers {

  private final HttpHeaders headers;
  /** The exchange whose request headers these are, to refuse changes from other threads; {@code null} for a response's. */
  private final ExchangeView exchange;

  NettyHeaders(HttpHeaders headers) {
    this(headers, null);
  }

  NettyHeaders(HttpHeaders headers, ExchangeView exchange) {
    this.headers = headers;
    this.exchange = exchange;
  }

  @Override
  public String get(String name) {
    return headers.get(HeaderNameCache.SHARED.lookup(name));
  }

  @Override
  public List<String> getAll(String name) {
    return headers.getAll(HeaderNameCache.SHARED.lookup(name));
  }

  @Override
  public boolean contains(String name) {
    return headers.contains(HeaderNameCache.SHARED.lookup(name));
  }

  @Override
  public Headers set(String name, String value) {
    checkOwner(name);
    headers.set(HeaderNameCache.SHARED.checked(name), checkValue(name, value));
    return this;
  }

  @Override
  public Headers add(String name, String value) {
    checkOwner(name);
    headers.add(HeaderNameCache.SHARED.checked(name), checkValue(name, value));
    return this;
  }

  @Override
  public Headers remove(String name) {
    checkOwner(name);
    headers.remove(HeaderNameCache.SHARED.lookup(name));
    return this;
  }

  @Override
  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    for (String name : headers.names()) {
      names.add(name.toLowerCase(Locale.ROOT));
    }
    return names;
  }

  private void checkOwner(String name) {
    if (exchange != null) {
      exchange.checkOwner("request header '", name);
    }
  }

  private static String checkValue(String name, String value) {
    if (value == null) {
      throw new IllegalArgumentException("header '" + name + "' has no value");
    }
    if (!Headers.isValidValue(value)) {
      throw new IllegalArgumentException("header '" + name + "' has a value that cannot be sent"
          + " (CR, LF, NUL, another control character, a character beyond U+00FF, or a space or tab first)");
    }
    return value;
  }
}
