package io.sluice.plugins.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import io.sluice.spi.Ticker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An issuer's JWK set behind {@code jwks_uri}: fetched with the JDK's asynchronous client (the
 * event loop never waits), used for {@code jwks_cache_ttl} and then fetched again in the
 * background while the old keys stay in use. At most one fetch runs at a time, and fetches start
 * at most once per {@code jwks_refresh_min_interval}. A failed fetch keeps the last good keys.
 */
final class RemoteJwks {

  /** A JWK set larger than this is not a JWK set. */
  static final int MAX_BYTES = 512 * 1024;

  private final URI uri;
  private final long ttlNanos;
  private final long minIntervalNanos;
  private final Ticker ticker;
  private final HttpClient http;
  private final System.Logger logger;

  private volatile List<VerificationKey> keys; // null until the first good fetch
  private volatile long loadedAt;
  private volatile long lastAttempt;
  private volatile boolean attempted;
  private final AtomicReference<CompletableFuture<Void>> inFlight = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();

  RemoteJwks(URI uri, Duration ttl, Duration minInterval, Ticker ticker, HttpClient http, System.Logger logger) {
    this.uri = uri;
    this.ttlNanos = ttl.toNanos();
    this.minIntervalNanos = minInterval.toNanos();
    this.ticker = ticker;
    this.http = http;
    this.logger = logger;
  }

  /** The keys of the last good fetch, or {@code null} before the first; starts a background refresh when they are stale. */
  List<VerificationKey> keys() {
    List<VerificationKey> current = keys;
    if (current != null && ticker.nanoTime() - loadedAt >= ttlNanos) {
      fetchIfAllowed();
    }
    return current;
  }

  /**
   * The fetch in flight, or a new one if the last started at least {@code jwks_refresh_min_interval}
   * ago; {@code null} when none may start now. The future never fails: on failure the old keys stay.
   */
  CompletableFuture<Void> fetchIfAllowed() {
    while (true) {
      CompletableFuture<Void> running = inFlight.get();
      if (running != null) {
        return running;
      }
      if (attempted && ticker.nanoTime() - lastAttempt < minIntervalNanos) {
        return null;
      }
      CompletableFuture<Void> started = new CompletableFuture<>();
      if (inFlight.compareAndSet(null, started)) {
        lastAttempt = ticker.nanoTime();
        attempted = true;
        fetch(started);
        return started;
      }
    }
  }

  /** The fetch in flight, or {@code null} (for tests). */
  CompletableFuture<Void> inFlight() {
    return inFlight.get();
  }

  /** How many fetches were started (for tests). */
  int fetches() {
    return fetches.get();
  }

  private void fetch(CompletableFuture<Void> done) {
    fetches.incrementAndGet();
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(10))
        .header("Accept", "application/json, application/jwk-set+json")
        .GET()
        .build();
    CompletableFuture<HttpResponse<String>> response;
    try {
      response = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    } catch (RuntimeException e) {
      response = CompletableFuture.failedFuture(e);
    }
    response.whenComplete((answer, failure) -> {
      try {
        if (failure != null) {
          warn("could not be fetched: " + failure);
        } else if (answer.statusCode() != 200) {
          warn("answered status " + answer.statusCode());
        } else if (answer.body().length() > MAX_BYTES) {
          warn("answered more than " + MAX_BYTES + " bytes");
        } else {
          accept(JWKSet.parse(answer.body()));
        }
      } catch (java.text.ParseException | RuntimeException e) {
        warn("answered something that is not a JWK set: " + e.getMessage());
      } finally {
        inFlight.set(null);
        done.complete(null);
      }
    });
  }

  private void accept(JWKSet set) {
    List<VerificationKey> usable = new ArrayList<>();
    for (JWK jwk : set.getKeys()) {
      // a secret published at a URL is no secret: only public keys are taken from there
      VerificationKey key = jwk instanceof OctetSequenceKey ? null : VerificationKey.of(jwk.toPublicJWK());
      if (key != null) {
        usable.add(key);
      }
    }
    loadedAt = ticker.nanoTime();
    keys = List.copyOf(usable);
    logger.log(System.Logger.Level.DEBUG, "JWKS {0}: {1} usable keys of {2}", uri, usable.size(), set.getKeys().size());
  }

  private void warn(String what) {
    logger.log(System.Logger.Level.WARNING, "JWKS {0} {1}; {2}", uri, what,
        keys == null ? "no keys yet: tokens of this issuer cannot be verified" : "keeping the last good keys");
  }
}
