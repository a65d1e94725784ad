package io.sluice.plugins.apikey;

import io.sluice.spi.Exchange;
import java.util.List;

/** Where a request carries its key, chosen by {@code key_from}. */
interface KeySource {

  /** The presented key, or {@code null} when there is none. */
  String key(Exchange exchange);

  /** Removes the key from what goes upstream, where that is possible. */
  void strip(Exchange exchange);

  /** What the client is told is missing, e.g. {@code header x-api-key}. */
  String describe();

  static KeySource of(ApiKeyConfig config) {
    return switch (config.keyFrom()) {
      case HEADER -> new FromHeader(config.headerName());
      case QUERY -> new FromQuery(config.queryParam());
    };
  }

  record FromHeader(String name) implements KeySource {
    @Override
    public String key(Exchange exchange) {
      return exchange.requestHeaders().get(name);
    }

    @Override
    public void strip(Exchange exchange) {
      exchange.requestHeaders().remove(name);
    }

    @Override
    public String describe() {
      return "header " + name;
    }
  }

  /** The query string cannot be changed through the SPI, so the key stays in it (the config refuses strip_key: true). */
  record FromQuery(String name) implements KeySource {
    @Override
    public String key(Exchange exchange) {
      List<String> values = exchange.queryParameter(name);
      return values.isEmpty() ? null : values.get(0);
    }

    @Override
    public void strip(Exchange exchange) {}

    @Override
    public String describe() {
      return "query parameter " + name;
    }
  }
}
