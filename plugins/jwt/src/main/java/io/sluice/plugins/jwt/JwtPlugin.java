package io.sluice.plugins.jwt;

import io.sluice.spi.Decision;
import io.sluice.spi.Exchange;
import io.sluice.spi.Headers;
import io.sluice.spi.Identity;
import io.sluice.spi.Plugin;
import io.sluice.spi.Ticker;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The {@code jwt} plugin on one route: reads the token, answers from the cache of verified
 * tokens or verifies it (waiting, without blocking, when the issuer's keys are being fetched),
 * then publishes the {@link Identity} and the forwarded claim headers.
 */
final class JwtPlugin implements Plugin {

  private final JwtConfig config;
  private final TokenVerifier verifier;
  private final TokenCache cache;
  private final Clock clock;
  private final boolean bearerScheme;

  JwtPlugin(JwtConfig config, Clock clock, Ticker ticker, HttpClient http, System.Logger logger) {
    this(config, clock, ticker, http, logger, true);
  }

  /** {@code fetchKeys} false: created only to check the config, so no JWKS is fetched. */
  JwtPlugin(JwtConfig config, Clock clock, Ticker ticker, HttpClient http, System.Logger logger, boolean fetchKeys) {
    this(config, new TokenVerifier(config, clock, ticker, http, logger), new TokenCache(config.cacheSize(), clock, ticker), clock);
    if (fetchKeys) {
      verifier.startFetching();
    }
  }

  private JwtPlugin(JwtConfig config, TokenVerifier verifier, TokenCache cache, Clock clock) {
    this.config = config;
    this.verifier = verifier;
    this.cache = cache;
    this.clock = clock;
    this.bearerScheme = config.headerName().equalsIgnoreCase(JwtConfig.DEFAULT_HEADER);
  }

  /** A new instance for the same config that keeps this one's keys and verified tokens (a reload). */
  JwtPlugin sharingStateOf() {
    return new JwtPlugin(config, verifier, cache, clock);
  }

  JwtConfig config() {
    return config;
  }

  TokenVerifier verifier() {
    return verifier;
  }

  @Override
  public Decision onRequest(Exchange exchange) {
    // The forward_claims headers a client sent are gone already: the gateway strips them on every
    // route (JwtPluginFactory#identityHeaders), so whatever of them reaches the upstream is ours.
    String token = token(exchange);
    if (token == null) {
      return Failure.MISSING.decision();
    }
    if (token == MULTIPLE) {
      return Failure.MULTIPLE.decision();
    }
    if (token.length() > config.maxTokenBytes()) {
      return Failure.TOO_LARGE.decision();
    }
    String key = TokenCache.keyOf(token);
    TokenVerifier.Verified cached = cache.get(key);
    if (cached != null) {
      if (clock.millis() < cached.validUntil()) {
        return accept(exchange, cached);
      }
      cache.invalidate(key);
      return cached.expiresAs().decision();
    }
    return decide(exchange, token, key, verifier.verify(token, true));
  }

  private Decision decide(Exchange exchange, String token, String key, TokenVerifier.Result result) {
    return switch (result) {
      case TokenVerifier.Verified verified -> {
        cache.put(key, verified);
        yield accept(exchange, verified);
      }
      case Failure failure -> failure.decision();
      // The keys are fetched on the HTTP client's threads; verifying and publishing the identity
      // changes the exchange, so it happens in the resume step, on the exchange's event loop.
      case TokenVerifier.Pending pending -> Decision.await(pending.keys(),
          (resumed, ignored) -> decide(resumed, token, key, verifier.verify(token, false)));
    };
  }

  private Decision accept(Exchange exchange, TokenVerifier.Verified verified) {
    exchange.attributes().put(Identity.KEY, verified.identity());
    Headers headers = exchange.requestHeaders();
    if (config.stripAuthorization()) {
      headers.remove(config.headerName());
    }
    for (Map.Entry<String, String> forwarded : verified.forwardedHeaders().entrySet()) {
      headers.set(forwarded.getKey(), forwarded.getValue());
    }
    return Decision.proceed();
  }

  /** Marks "more than one token": a request must not carry two that could be read differently upstream. */
  private static final String MULTIPLE = new String("multiple");

  /** The token, {@code null} when there is none, or {@link #MULTIPLE}. */
  private String token(Exchange exchange) {
    return switch (config.tokenFrom()) {
      case HEADER -> fromHeader(exchange.requestHeaders().getAll(config.headerName()));
      case QUERY -> single(exchange.queryParameter(config.queryParam()));
      case COOKIE -> fromCookies(exchange.requestHeaders().getAll("cookie"));
    };
  }

  private String fromHeader(List<String> values) {
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      return MULTIPLE;
    }
    String value = values.get(0).strip();
    boolean bearer = value.length() > 7 && value.regionMatches(true, 0, "Bearer ", 0, 7);
    if (bearer) {
      value = value.substring(7).strip();
    } else if (bearerScheme) {
      return null; // another scheme (Basic, ...): no bearer token was sent
    }
    return value.isEmpty() ? null : value;
  }

  private static String single(List<String> values) {
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      return MULTIPLE;
    }
    return values.get(0).isEmpty() ? null : values.get(0);
  }

  private String fromCookies(List<String> cookieHeaders) {
    String found = null;
    String name = config.cookieName();
    for (String header : cookieHeaders) {
      for (String pair : header.split(";")) {
        String trimmed = pair.strip();
        if (trimmed.length() > name.length() && trimmed.charAt(name.length()) == '=' && trimmed.startsWith(name)) {
          if (found != null) {
            return MULTIPLE;
          }
          found = trimmed.substring(name.length() + 1);
        }
      }
    }
    return found == null || found.isEmpty() ? null : found;
  }
}
