package io.sluice.plugins.ratelimit;

import io.sluice.spi.Exchange;
import io.sluice.spi.Identity;
import java.util.List;

/**
 * What a limit counts separately, read from an exchange: compiled once from the {@code key} parts.
 * A part with no value on a request (nobody authenticated, the header or claim is absent) counts by
 * the client IP instead, in its own name space, so such requests are limited, never waved through.
 */
@FunctionalInterface
interface KeyExtractor {

  /** Separates the parts of a composite key; a control character no header value can hold. */
  char SEPARATOR = '\u001f';
  /** Marks a key that fell back to the client IP, so that it never equals a real value. */
  String FALLBACK = "\u0000ip=";

  String key(Exchange exchange);

  static KeyExtractor of(List<String> parts) {
    if (parts.size() == 1) {
      return single(parts.get(0));
    }
    KeyExtractor[] each = parts.stream().map(KeyExtractor::single).toArray(KeyExtractor[]::new);
    return exchange -> {
      StringBuilder key = new StringBuilder(64);
      for (int i = 0; i < each.length; i++) {
        if (i > 0) {
          key.append(SEPARATOR);
        }
        key.append(each[i].key(exchange));
      }
      return key.toString();
    };
  }

  private static KeyExtractor single(String part) {
    KeyExtractor value = value(part);
    if (part.equals("client_ip") || part.equals("route") || part.equals("global")) {
      return value; // always present
    }
    return exchange -> {
      String found = value.key(exchange);
      return found != null ? found : FALLBACK + exchange.clientIp();
    };
  }

  /** The part's value, or {@code null} when the request has none. */
  private static KeyExtractor value(String part) {
    switch (part) {
      case "client_ip":
        return Exchange::clientIp;
      case "route":
        return Exchange::routeId;
      case "global":
        return exchange -> "";
      case "consumer":
        return exchange -> {
          Identity who = exchange.attributes().get(Identity.KEY);
          return who == null ? null : who.consumer() != null ? who.consumer() : who.subject();
        };
      default:
        break;
    }
    if (part.startsWith("header:")) {
      String name = part.substring("header:".length());
      return exchange -> exchange.requestHeaders().get(name);
    }
    String claim = part.substring("claim:".length());
    return exchange -> {
      Identity who = exchange.attributes().get(Identity.KEY);
      Object value = who == null ? null : who.claims().get(claim);
      return value == null ? null : value instanceof String text ? text : String.valueOf(value);
    };
  }
}
