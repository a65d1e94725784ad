package io.sluice.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.spi.Headers;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The SPI's {@link Headers} over Netty's, checking what plugins write. */
final class NettyHeaders implements Headers {

  private final HttpHeaders headers;

  NettyHeaders(HttpHeaders headers) {
    this.headers = headers;
  }

  @Override
  public String get(String name) {
    return headers.get(name);
  }

  @Override
  public List<String> getAll(String name) {
    return headers.getAll(name);
  }

  @Override
  public boolean contains(String name) {
    return headers.contains(name);
  }

  @Override
  public Headers set(String name, String value) {
    headers.set(checkName(name), checkValue(name, value));
    return this;
  }

  @Override
  public Headers add(String name, String value) {
    headers.add(checkName(name), checkValue(name, value));
    return this;
  }

  @Override
  public Headers remove(String name) {
    headers.remove(name);
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

  private static String checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("header name is empty");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean token = c > 0x20 && c < 0x7F && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
      if (!token) {
        throw new IllegalArgumentException("header name '" + name + "' is not a token");
      }
    }
    return name;
  }

  private static String checkValue(String name, String value) {
    if (value == null) {
      throw new IllegalArgumentException("header '" + name + "' has no value");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        throw new IllegalArgumentException("header '" + name + "' value contains CR, LF or NUL");
      }
    }
    return value;
  }
}
