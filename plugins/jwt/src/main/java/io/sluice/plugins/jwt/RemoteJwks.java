package io.sluice.plugins.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import io.sluice.spi.Ticker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An issuer's JWK set behind {@code jwks_uri}: fetched with the JDK's asynchronous client (the
 * event loop never waits), used for {@code jwks_cache_ttl} and then fetched again in the
 * background while the old keys stay in use. At most one fetch runs at a time, and fetches start
 * at most once per {@code jwks_refresh_min_interval}. A failed fetch keeps the last good keys.
 *
 * <p>A fetch is bounded three ways, so that a broken or hostile endpoint can neither fill the
 * heap nor hold the single fetch slot forever: the body is read up to {@link #MAX_BYTES} and no
 * further, the whole fetch (redirects and body included) has {@link #FETCH_TIMEOUT}, and only
 * {@link #MAX_REDIRECTS} redirects within the origin of {@code jwks_uri} are followed.
 */
final class RemoteJwks {

  /** A JWK set larger than this is not a JWK set. */
  static final int MAX_BYTES = 512 * 1024;
  /** Redirects followed within one fetch; each must stay in the origin of {@code jwks_uri}. */
  static final int MAX_REDIRECTS = 3;
  /** The most one fetch may take, from the request to the last byte of the body. */
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

  private final URI uri;
  private final long ttlNanos;
  private final long minIntervalNanos;
  private final Ticker ticker;
  private final HttpClient http;
  private final System.Logger logger;
  private final Duration fetchTimeout;

  private volatile List<VerificationKey> keys; // null until the first good fetch
  private volatile long loadedAt;
  private volatile long lastAttempt;
  private volatile boolean attempted;
  private final AtomicReference<CompletableFuture<Void>> inFlight = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();

  RemoteJwks(URI uri, Duration ttl, Duration minInterval, Ticker ticker, HttpClient http, System.Logger logger) {
    this(uri, ttl, minInterval, ticker, http, logger, FETCH_TIMEOUT);
  }

  /** {@code http} must not follow redirects: which ones are safe to follow is decided here. */
  RemoteJwks(URI uri, Duration ttl, Duration minInterval, Ticker ticker, HttpClient http, System.Logger logger, Duration fetchTimeout) {
    if (http.followRedirects() != HttpClient.Redirect.NEVER) {
      throw new IllegalArgumentException("the JWKS client must leave redirects to RemoteJwks (expected: HttpClient.Redirect.NEVER)");
    }
    this.uri = uri;
    this.ttlNanos = ttl.toNanos();
    this.minIntervalNanos = minInterval.toNanos();
    this.ticker = ticker;
    this.http = http;
    this.logger = logger;
    this.fetchTimeout = fetchTimeout;
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
    CompletableFuture<String> document = new CompletableFuture<>();
    request(uri, 0, document);
    document.orTimeout(fetchTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((body, failure) -> {
      try {
        if (failure != null) {
          warn(reason(failure));
        } else {
          accept(JWKSet.parse(body));
        }
      } catch (java.text.ParseException | RuntimeException e) {
        warn("answered something that is not a JWK set: " + e.getMessage());
      } finally {
        inFlight.set(null);
        done.complete(null);
      }
    });
  }

  /** Asks {@code target} for the set; completes {@code document} with the body of a 200, or fails it. */
  private void request(URI target, int redirects, CompletableFuture<String> document) {
    HttpRequest request = HttpRequest.newBuilder(target)
        .timeout(fetchTimeout)
        .header("Accept", "application/json, application/jwk-set+json")
        .GET()
        .build();
    CompletableFuture<HttpResponse<String>> response;
    try {
      response = http.sendAsync(request, BoundedBody::new);
    } catch (RuntimeException e) {
      response = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<HttpResponse<String>> exchange = response;
    // past the deadline (the request timeout ends with the headers), the body is not read any further
    document.whenComplete((body, failure) -> exchange.cancel(true));
    response.whenComplete((answer, failure) -> {
      if (failure != null) {
        document.completeExceptionally(failure);
      } else if (answer.statusCode() == 200) {
        document.complete(answer.body());
      } else if (isRedirect(answer.statusCode())) {
        redirect(answer, redirects, document);
      } else {
        document.completeExceptionally(new FetchFailure("answered status " + answer.statusCode()));
      }
    });
  }

  /** Follows a redirect that stays in the origin of {@code jwks_uri}: another origin is another party. */
  private void redirect(HttpResponse<?> answer, int redirects, CompletableFuture<String> document) {
    String location = answer.headers().firstValue("location").orElse(null);
    URI next;
    try {
      next = location == null ? null : answer.uri().resolve(location);
    } catch (IllegalArgumentException e) {
      next = null;
    }
    if (next == null) {
      document.completeExceptionally(new FetchFailure("answered status " + answer.statusCode() + " without a usable Location"));
    } else if (!sameOrigin(uri, next)) {
      document.completeExceptionally(new FetchFailure("redirected to " + next + ", outside " + origin(uri)
          + ": not followed (set jwks_uri to the URL that serves the keys)"));
    } else if (redirects == MAX_REDIRECTS) {
      document.completeExceptionally(new FetchFailure("redirected more than " + MAX_REDIRECTS + " times: not followed"));
    } else {
      request(next, redirects + 1, document);
    }
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI uri) {
    return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private static String origin(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + ":" + port(uri);
  }

  /** What went wrong, for the operator: the client's exceptions come wrapped, sometimes twice. */
  private String reason(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof FetchFailure known) {
        return known.getMessage();
      }
      if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
        return "did not answer within " + fetchTimeout.toMillis() + " ms";
      }
    }
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return "could not be fetched: " + cause;
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

  /** Why a fetch failed, in words for the log; thrown often enough by a bad endpoint to skip the stack trace. */
  static final class FetchFailure extends Exception {
    FetchFailure(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * A response body read into memory up to {@link #MAX_BYTES}: a larger one, announced or not,
   * is cancelled as soon as it passes the limit, which closes the connection under it.
   */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<String> {
    private final CompletableFuture<String> body = new CompletableFuture<>();
    private final long announced;
    private Flow.Subscription subscription;
    private byte[] bytes;
    private int size;

    BoundedBody(HttpResponse.ResponseInfo info) {
      this.announced = info.headers().firstValueAsLong("content-length").orElse(-1);
      this.bytes = new byte[(int) Math.clamp(announced, 1024, MAX_BYTES)];
    }

    @Override
    public CompletionStage<String> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      if (announced > MAX_BYTES) {
        tooLarge();
      } else {
        subscription.request(1);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (body.isDone()) {
        return;
      }
      for (ByteBuffer buffer : buffers) {
        int length = buffer.remaining();
        if (length > MAX_BYTES - size) {
          tooLarge();
          return;
        }
        if (size + length > bytes.length) {
          bytes = Arrays.copyOf(bytes, Math.min(MAX_BYTES, Math.max(size + length, bytes.length * 2)));
        }
        buffer.get(bytes, size, length);
        size += length;
      }
      subscription.request(1);
    }

    @Override
    public void onError(Throwable failure) {
      body.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      body.complete(new String(bytes, 0, size, StandardCharsets.UTF_8));
    }

    private void tooLarge() {
      subscription.cancel();
      body.completeExceptionally(new FetchFailure("answered more than " + MAX_BYTES + " bytes (the most a JWK set may have); stopped reading"));
    }
  }

  private void warn(String what) {
    logger.log(System.Logger.Level.WARNING, "JWKS {0} {1}; {2}", uri, what,
        keys == null ? "no keys yet: tokens of this issuer cannot be verified" : "keeping the last good keys");
  }
}
