package io.sluice.plugins.cache;

import io.sluice.spi.AttributeKey;
import io.sluice.spi.BodyAccess;
import io.sluice.spi.Decision;
import io.sluice.spi.DirectResponse;
import io.sluice.spi.Exchange;
import io.sluice.spi.Headers;
import io.sluice.spi.Identity;
import io.sluice.spi.Meters;
import io.sluice.spi.Outcome;
import io.sluice.spi.Plugin;
import io.sluice.spi.Purgeable;
import io.sluice.spi.Response;
import io.sluice.spi.Ticker;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The cache on one route (or, as a global plugin, on all): answers from stored responses while they
 * are fresh, revalidates them when stale, stores what RFC 9111 lets a shared cache store, and lets
 * one request per key go to the upstream while identical ones wait for its answer.
 */
final class CachePlugin implements Plugin, Purgeable {

  /** The cache's view of an exchange. */
  private static final AttributeKey<Pass> PASS = AttributeKey.of("cache.pass", Pass.class);

  /** The name in {@code Cache-Status} (RFC 9211). */
  static final String NAME = "sluice";

  /**
   * Request fields that select what an upstream renders but are never part of the key: they are
   * removed from cacheable requests, so a stored response cannot have been shaped by one client's
   * value of them (cache poisoning). The gateway sets its own {@code X-Forwarded-Host}.
   */
  private static final List<String> UNKEYED_OVERRIDES = List.of("x-forwarded-host", "x-forwarded-server",
      "x-forwarded-scheme", "x-host", "x-original-url", "x-rewrite-url", "x-original-host", "x-http-method-override",
      "x-http-method", "x-method-override");

  /** Fields never stored: per-exchange, per-connection, recomputed, or one client's (Set-Cookie). */
  private static final Set<String> NOT_STORED = Set.of("set-cookie", "set-cookie2", "age", "cache-status", "x-request-id",
      "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "te", "upgrade", "trailer",
      "proxy-authenticate", "proxy-authentication-info");

  /** Status codes a response may be stored with without explicit freshness (RFC 9110 section 15.1). */
  private static final Set<Integer> HEURISTIC = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);

  /** The state that outlives a config reload when the cache's config did not change. */
  record Shared(ResponseStore store, ConcurrentHashMap<String, CompletableFuture<FlightBody>> flights,
      ConcurrentHashMap<String, Long> refreshing) {
    static Shared of(CacheConfig config, Ticker ticker) {
      return new Shared(new ResponseStore(config.maxByteCount(), ticker), new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    }
  }

  /** How long a background refresh may hold its key before another request may start one (it never ended, say). */
  private static final long REFRESH_CLAIM_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** The counters of what happened to lookups. */
  record Counters(Meters.Counter hit, Meters.Counter miss, Meters.Counter stale, Meters.Counter coalesced,
      Meters.Counter revalidated, Meters.Counter stored, RedisCounters redis) {}

  /** What Redis lookups found: an entry for the request, none, or Redis could not be asked or did not answer. */
  record RedisCounters(Meters.Counter hit, Meters.Counter miss, Meters.Counter unavailable) {}

  private final CacheConfig config;
  private final Keys keys;
  private final Shared shared;
  private final ResponseStore store;
  private final Ticker ticker;
  private final Counters counters;
  private final int maxObject;
  private final long defaultTtl;
  private final long coalesceWaitMillis;
  /** The second tier with {@code store: redis}, else {@code null}. */
  private final RedisTier redis;

  CachePlugin(CacheConfig config, Shared shared, Ticker ticker, Counters counters, RedisTier redis) {
    this.config = config;
    this.keys = new Keys(config.key());
    this.shared = shared;
    this.store = shared.store();
    this.ticker = ticker;
    this.counters = counters;
    this.maxObject = config.maxObjectByteCount();
    this.defaultTtl = config.defaultTtlSeconds();
    this.coalesceWaitMillis = config.coalesceWait().toMillis();
    this.redis = redis;
  }

  Shared shared() {
    return shared;
  }

  CacheConfig config() {
    return config;
  }

  @Override
  public BodyAccess responseBody() {
    return BodyAccess.streamed();
  }

  // ---- request ----

  @Override
  public Decision onRequest(Exchange exchange) {
    if (exchange.isGrpc()) {
      return Decision.proceed(); // never cached
    }
    String method = exchange.method();
    boolean head = method.equals("HEAD");
    if (!head && !method.equals("GET")) {
      Pass pass = Pass.bypassing("method");
      if (!isSafe(method)) {
        pass.invalidates = true;
        pass.target = keys.target(exchange);
      }
      exchange.attributes().put(PASS, pass);
      return Decision.proceed();
    }
    Headers request = exchange.requestHeaders();
    if (request.contains("content-length") && !"0".equals(request.get("content-length"))
        || request.contains("transfer-encoding")) {
      exchange.attributes().put(PASS, Pass.bypassing("request-body")); // the body is not part of the key
      return Decision.proceed();
    }
    Pass pass = new Pass();
    exchange.attributes().put(PASS, pass);
    pass.target = keys.target(exchange);
    for (String name : UNKEYED_OVERRIDES) {
      if (request.contains(name) && !isKeyHeader(name)) {
        request.remove(name);
      }
    }
    pass.keyValues = keys.headerValues(request);
    pass.requestMillis = System.currentTimeMillis();
    pass.authenticated = request.contains("authorization") || exchange.attributes().get(Identity.KEY) != null;
    pass.ifNoneMatch = request.get("if-none-match");
    pass.ifModifiedSince = request.get("if-modified-since");
    pass.range = head ? null : request.get("range");
    pass.ifRange = request.get("if-range");
    CacheControl asked = CacheControl.parse(request.getAll("cache-control"));
    boolean askedNoCache = asked.noCache || asked == CacheControl.NONE && pragmaNoCache(request);
    pass.noStore = asked.noStore;

    boolean plain = !head && !askedNoCache && pass.range == null && pass.ifNoneMatch == null && pass.ifModifiedSince == null
        && !request.contains("if-match") && !request.contains("if-unmodified-since");
    ResponseStore.Found found = store.find(pass.target, pass.keyValues, request);
    StoredResponse entry = found.entry();
    if (entry != null) {
      return fromStore(pass, entry, asked, askedNoCache, plain, request, "");
    }
    if (redis != null && !askedNoCache) {
      if (redis.available()) {
        return lookInRedis(exchange, pass, asked, plain, found.targetKnown());
      }
      counters.redis().unavailable().increment();
    }
    return miss(pass, asked, plain, found.targetKnown());
  }

  /**
   * Answers from (or revalidates) {@code entry}, found for the request; {@code tier} is added to
   * {@code Cache-Status} of a fresh hit ({@code "; detail=redis"} for one found in Redis).
   */
  private Decision fromStore(Pass pass, StoredResponse entry, CacheControl asked, boolean askedNoCache, boolean plain,
      Headers request, String tier) {
    long age = entry.age(ticker.nanoTime());
    long fresh = entry.lifetime - age;
    boolean satisfies = (asked.maxAge < 0 || age <= asked.maxAge) && (asked.minFresh < 0 || fresh >= asked.minFresh);
    if (fresh > 0 && !entry.control.noCache && !askedNoCache && satisfies) {
      counters.hit().increment();
      return serve(pass, entry, age, NAME + "; hit; ttl=" + fresh + tier);
    }
    boolean staleAllowed = fresh <= 0 && !entry.control.noCache && !askedNoCache && !entry.control.forbidsStale();
    if (staleAllowed && asked.maxStale >= -fresh && (asked.maxAge < 0 || age <= asked.maxAge)) {
      counters.stale().increment();
      return serve(pass, entry, age, NAME + "; hit; ttl=" + fresh + "; detail=max-stale");
    }
    if (staleAllowed && entry.control.staleWhileRevalidate >= -fresh) {
      // the stale response at once; the first such request also refreshes it in the background
      counters.stale().increment();
      DirectResponse staleAnswer = answer(pass, entry, age, NAME + "; hit; ttl=" + fresh + "; detail=stale-while-revalidate");
      pass.served = true;
      String refreshKey = flightKey(pass);
      if (!claimRefresh(refreshKey)) {
        return Decision.respond(staleAnswer);
      }
      pass.refreshKey = refreshKey;
      pass.refreshing = true;
      revalidate(pass, entry, request);
      return Decision.respondAndForward(staleAnswer);
    }
    if (asked.onlyIfCached) {
      return onlyIfCached(pass);
    }
    // when a popular entry expires, one request revalidates it and the others wait for that (unless
    // this one leads the flight already: it looked in Redis for the others)
    if (pass.refreshKey == null && pass.flight == null && plain) {
      Decision waiting = joinFlight(pass);
      if (waiting != null) {
        return waiting;
      }
    }
    revalidate(pass, entry, request);
    return Decision.proceed();
  }

  /** Nothing stored for the request: it goes to the upstream, unless an identical one is on its way there. */
  private Decision miss(Pass pass, CacheControl asked, boolean plain, boolean targetKnown) {
    if (asked.onlyIfCached) {
      return onlyIfCached(pass);
    }
    pass.forward = targetKnown ? "vary-miss" : "uri-miss";
    if (plain && pass.flight == null) {
      Decision waiting = joinFlight(pass);
      if (waiting != null) {
        return waiting;
      }
    }
    counters.miss().increment();
    return Decision.proceed();
  }

  /**
   * A local miss with {@code store: redis}: the target's variants in Redis, asked without holding the
   * event loop. Identical plain requests wait for the first one (one lookup, then one upstream
   * request between them), as they do for the upstream. The lookup goes out on the exchange's event
   * loop's own Redis connection once it has one, where its answer is decoded too; a match is
   * promoted to the local tier and served.
   */
  private Decision lookInRedis(Exchange exchange, Pass pass, CacheControl asked, boolean plain, boolean targetKnown) {
    if (plain) {
      Decision waiting = joinFlight(pass);
      if (waiting != null) {
        return waiting;
      }
    }
    return Decision.await(redis.variants(exchange.executor(), pass.target).thenApply(this::decoded),
        (resumed, variants) -> afterRedis(resumed, pass, variants, asked, plain, targetKnown));
  }

  /** The entries in what Redis answered (those of an unknown format left out), or {@code null} when it did not answer. */
  private List<StoredResponse> decoded(List<byte[]> values) {
    if (values == null) {
      return null;
    }
    long nowNanos = ticker.nanoTime();
    long nowMillis = System.currentTimeMillis();
    List<StoredResponse> entries = new java.util.ArrayList<>(values.size());
    for (byte[] value : values) {
      StoredResponse entry = EntryFormat.decode(value, nowNanos, nowMillis);
      if (entry != null) {
        entries.add(entry);
      }
    }
    return entries;
  }

  private Decision afterRedis(Exchange exchange, Pass pass, List<StoredResponse> variants, CacheControl asked, boolean plain,
      boolean targetKnown) {
    if (variants == null) {
      counters.redis().unavailable().increment();
      return miss(pass, asked, plain, targetKnown);
    }
    Headers request = exchange.requestHeaders();
    StoredResponse entry = matching(variants, pass.keyValues, request);
    if (entry == null) {
      counters.redis().miss().increment();
      return miss(pass, asked, plain, targetKnown || !variants.isEmpty());
    }
    counters.redis().hit().increment();
    store.put(pass.target, entry);
    return fromStore(pass, entry, asked, false, plain, request, "; detail=redis");
  }

  /**
   * The variant for the request among {@code variants}, as the local store picks it: the newest one's
   * {@code Vary} is the upstream's latest word on what varies, so only variants stored under it count.
   */
  private static StoredResponse matching(List<StoredResponse> variants, String[] keyValues, Headers request) {
    StoredResponse newest = null;
    for (StoredResponse variant : variants) {
      if (newest == null || variant.storedAtNanos - newest.storedAtNanos > 0) {
        newest = variant;
      }
    }
    StoredResponse match = null;
    for (StoredResponse variant : variants) {
      if (java.util.Arrays.equals(variant.varyNames, newest.varyNames) && variant.matches(keyValues, request)
          && (match == null || variant.storedAtNanos - match.storedAtNanos > 0)) {
        match = variant;
      }
    }
    return match;
  }

  /**
   * Coalescing: {@code null} when this request goes to the upstream for its key (it leads the
   * flight, or coalescing is off), else the wait for the request that does, bounded by
   * {@code coalesce_wait}: until its response's head shows a body that may be streamed to the
   * waiters, or until it ended.
   */
  private Decision joinFlight(Pass pass) {
    if (coalesceWaitMillis == 0) {
      return null;
    }
    String flightKey = flightKey(pass);
    CompletableFuture<FlightBody> mine = new CompletableFuture<>();
    CompletableFuture<FlightBody> theirs = shared.flights().putIfAbsent(flightKey, mine);
    if (theirs == null) {
      pass.flight = mine;
      pass.flightKey = flightKey;
      return null;
    }
    counters.coalesced().increment();
    pass.collapsed = true;
    // the leader's response arrives on another event loop; this one resumes on its own
    return Decision.await(theirs.copy().completeOnTimeout(null, coalesceWaitMillis, TimeUnit.MILLISECONDS),
        this::afterWaiting);
  }

  /** Whether this request may refresh {@code key}: no other is refreshing it, or the other's claim is too old. */
  private boolean claimRefresh(String key) {
    long now = ticker.nanoTime();
    Long since = shared.refreshing().putIfAbsent(key, now);
    return since == null || now - since > REFRESH_CLAIM_NANOS && shared.refreshing().replace(key, since, now);
  }

  /**
   * After waiting for an identical request: its response as it streams in ({@code streamed}, while
   * it may still become whole), else its stored response if there is one now, else the upstream.
   */
  private Decision afterWaiting(Exchange exchange, FlightBody streamed) {
    Pass pass = exchange.attributes().get(PASS);
    if (streamed != null && !streamed.failed() && streamed.matches(exchange.requestHeaders())) {
      long age = streamed.age(ticker.nanoTime());
      pass.served = true;
      return Decision.respond(streamed.answer(age, NAME + "; hit; collapsed; ttl=" + (streamed.lifetime - age)));
    }
    ResponseStore.Found found = store.find(pass.target, pass.keyValues, exchange.requestHeaders());
    StoredResponse entry = found.entry();
    if (entry != null) {
      long age = entry.age(ticker.nanoTime());
      long fresh = entry.lifetime - age;
      if (fresh > 0 && !entry.control.noCache) {
        return serve(pass, entry, age, NAME + "; hit; collapsed; ttl=" + fresh);
      }
      revalidate(pass, entry, exchange.requestHeaders()); // still stale: its own revalidation
      return Decision.proceed();
    }
    pass.forward = found.targetKnown() ? "vary-miss" : "uri-miss";
    return Decision.proceed();
  }

  /** Sends the request upstream carrying the stored response's validators, in place of the client's own. */
  private void revalidate(Pass pass, StoredResponse entry, Headers request) {
    pass.stale = entry;
    pass.forward = "stale";
    counters.revalidated().increment();
    if (!entry.hasValidators()) {
      return;
    }
    request.remove("if-none-match");
    request.remove("if-modified-since");
    request.remove("if-range");
    request.remove("range"); // the whole representation, so that a 200 can replace the entry
    if (entry.etag != null) {
      request.set("if-none-match", entry.etag);
    }
    if (entry.lastModified != null) {
      request.set("if-modified-since", entry.lastModified);
    }
    pass.validatorsSent = true;
  }

  private Decision onlyIfCached(Pass pass) {
    pass.served = true;
    return Decision.respond(DirectResponse.of(504).withHeader("cache-status", NAME + "; fwd=miss; detail=only-if-cached"));
  }

  /** Answers from {@code entry}: the client's conditional and range fields decide between 200, 206, 304 and 416. */
  private Decision serve(Pass pass, StoredResponse entry, long age, String cacheStatus) {
    pass.served = true;
    return Decision.respond(answer(pass, entry, age, cacheStatus));
  }

  private static DirectResponse answer(Pass pass, StoredResponse entry, long age, String cacheStatus) {
    if (Conditionals.notModified(pass.ifNoneMatch, pass.ifModifiedSince, entry)) {
      return entry.notModified(age, cacheStatus);
    }
    if (pass.range != null && entry.status == 200 && Conditionals.ifRangeHolds(pass.ifRange, entry)) {
      DirectResponse partial = Ranges.answer(pass.range, entry, age, cacheStatus);
      if (partial != null) {
        return partial;
      }
    }
    return entry.answer(entry.status, age, cacheStatus);
  }

  // ---- response ----

  @Override
  public void onResponse(Exchange exchange, Response response) {
    Pass pass = exchange.attributes().get(PASS);
    if (pass == null) {
      if (!exchange.isGrpc()) {
        response.headers().set("cache-status", NAME + "; fwd=bypass");
      }
      return;
    }
    if (pass.served) {
      return; // the cache's own answer
    }
    int status = response.status();
    if (pass.bypass != null) {
      if (pass.invalidates && !response.isFromGateway() && status >= 200 && status < 400) {
        invalidate(exchange, pass, response.headers());
      }
      response.headers().set("cache-status", NAME + "; fwd=bypass; detail=" + pass.bypass);
      return;
    }
    StoredResponse stale = pass.stale;
    if (stale != null) {
      if (response.isFromGateway() || status >= 500) {
        if (staleIfError(stale)) {
          counters.stale().increment();
          long age = stale.age(ticker.nanoTime());
          response.replaceWith(answer(pass, stale, age, NAME + "; fwd=stale; fwd-status=" + status + "; ttl="
              + (stale.lifetime - age) + "; detail=stale-if-error"));
          return;
        }
      } else if (status == 304 && pass.validatorsSent) {
        StoredResponse updated = freshened(stale, response.headers(), pass);
        store.put(pass.target, updated);
        share(pass, updated);
        long age = updated.age(ticker.nanoTime());
        response.replaceWith(answer(pass, updated, age, NAME + "; fwd=stale; fwd-status=304; ttl=" + (updated.lifetime - age)));
        return;
      }
    }
    String cacheStatus = NAME + "; fwd=" + pass.forward + (pass.collapsed ? "; collapsed" : "");
    if (response.isFromGateway()) {
      response.headers().set("cache-status", cacheStatus);
      return;
    }
    cacheStatus += "; fwd-status=" + status;
    if (exchange.method().equals("GET")) {
      pass.capture = capture(pass, exchange, status, response.headers());
      if (pass.capture != null) {
        cacheStatus += "; stored";
        streamToWaiters(pass);
      }
    }
    response.headers().set("cache-status", cacheStatus);
  }

  /**
   * The leader's response will be stored and may be served at once: the requests waiting for it
   * get it now, streamed as it arrives, instead of when it is whole.
   */
  private void streamToWaiters(Pass pass) {
    Pass.Capture capture = pass.capture;
    if (pass.flight == null || capture.control.noCache || capture.lifetime - capture.initialAge <= 0) {
      return; // to be revalidated before it is served: the waiters look in the store when this one ends
    }
    pass.streamed = new FlightBody(capture, ticker.nanoTime());
    pass.flight.complete(pass.streamed);
  }

  @Override
  public void onResponseBodyChunk(Exchange exchange, ByteBuffer chunk, boolean last) {
    Pass pass = exchange.attributes().get(PASS);
    if (pass == null || pass.capture == null) {
      return;
    }
    Pass.Capture capture = pass.capture;
    if (!capture.add(chunk)) {
      pass.capture = null; // larger than max_object_bytes after all: streamed through, not stored
      stopStreaming(pass);
      return;
    }
    if (pass.streamed != null) {
      pass.streamed.grew(capture.bytes, capture.length);
    }
    if (last) {
      pass.capture = null;
      if (capture.expected >= 0 && capture.length != capture.expected) {
        stopStreaming(pass);
        return;
      }
      StoredResponse stored = new StoredResponse(capture.status, capture.headers, capture.body(), ticker.nanoTime(),
          capture.initialAge, capture.lifetime, capture.control, pass.keyValues, capture.varyNames, capture.varyValues);
      store.put(pass.target, stored);
      counters.stored().increment();
      share(pass, stored);
      if (pass.streamed != null) {
        pass.streamed.complete();
        pass.streamed = null;
      }
    }
  }

  /** The body streamed to waiters will not be whole: they are cut, and they see an incomplete response. */
  private static void stopStreaming(Pass pass) {
    if (pass.streamed != null) {
      pass.streamed.fail();
      pass.streamed = null;
    }
  }

  /**
   * With {@code store: redis}, writes {@code entry}, just stored here, to Redis too: to live as long
   * as it can be served (its remaining freshness plus its {@code stale-while-revalidate} or
   * {@code stale-if-error} window), and only when it fits in {@code max_object_bytes} as a whole.
   */
  private void share(Pass pass, StoredResponse entry) {
    if (redis == null) {
      return;
    }
    long allowance = Math.max(0, Math.max(entry.control.staleWhileRevalidate, entry.control.staleIfError));
    long ttlMillis = (entry.lifetime + allowance - entry.initialAge) * 1000;
    if (ttlMillis <= 0) {
      return; // to be revalidated at once: nothing another instance could serve
    }
    byte[] bytes = EntryFormat.encode(entry, pass.requestMillis, System.currentTimeMillis());
    if (bytes.length <= maxObject) {
      redis.write(pass.target, EntryFormat.variantField(entry), bytes, ttlMillis);
    }
  }

  @Override
  public void onComplete(Exchange exchange, Outcome outcome) {
    Pass pass = exchange.attributes().get(PASS);
    if (pass == null) {
      return;
    }
    pass.capture = null;
    stopStreaming(pass); // the response ended before its body did (the upstream failed, the client went away)
    if (pass.refreshing) {
      // the client's answer is out; the refresh follows, and then this runs again
      pass.refreshing = false;
      pass.served = false;
      return;
    }
    if (pass.flight != null) {
      shared.flights().remove(pass.flightKey, pass.flight);
      pass.flight.complete(null); // the waiters look again: a hit, or they go upstream themselves
    }
    if (pass.refreshKey != null) {
      shared.refreshing().remove(pass.refreshKey);
    }
  }

  /**
   * What of this response goes into the store, or {@code null} when it must not be stored (RFC 9111
   * section 3) or is larger than {@code max_object_bytes}.
   */
  private Pass.Capture capture(Pass pass, Exchange exchange, int status, Headers headers) {
    if (pass.noStore || status < 200 || status == 206 || status == 304) {
      return null;
    }
    CacheControl control = CacheControl.parse(headers.getAll("cache-control"));
    if (control.noStore || control.isPrivate) {
      return null;
    }
    if (control == CacheControl.NONE && pragmaNoCache(headers)) {
      control = CacheControl.parse(List.of("no-cache")); // HTTP/1.0 (RFC 9111 section 5.4)
    }
    boolean explicitlyShared = control.isPublic || control.sMaxAge >= 0;
    if (pass.authenticated && !explicitlyShared && !control.mustRevalidate) {
      return null; // RFC 9111 section 3.5
    }
    if (headers.contains("set-cookie") && !explicitlyShared) {
      return null; // most likely one client's response; with public or s-maxage, stored without the cookie
    }
    String[] varyNames = varyNames(headers);
    if (varyNames == null) {
      return null; // Vary: *
    }
    long length = contentLength(headers);
    if (length > maxObject) {
      return null;
    }
    long nowMillis = System.currentTimeMillis();
    long date = HttpDates.parse(headers.get("date"));
    long lifetime = explicitLifetime(control, headers.get("expires"), date, nowMillis);
    if (lifetime >= 0) {
      // given by the response
    } else if (!HEURISTIC.contains(status)) {
      return null;
    } else if (defaultTtl >= 0) {
      lifetime = defaultTtl;
    } else if (control.noCache || control.isPublic) {
      lifetime = 0; // stored only to be revalidated each time
    } else {
      return null;
    }
    Map<String, String> stored = storedHeaders(headers, nowMillis);
    if ((lifetime == 0 || control.noCache) && !stored.containsKey("etag") && !stored.containsKey("last-modified")) {
      return null; // to be revalidated each time, and nothing to revalidate with: useless
    }
    long initialAge = initialAge(headers, date, nowMillis, pass.requestMillis);
    String[] varyValues = new String[varyNames.length];
    for (int i = 0; i < varyNames.length; i++) {
      varyValues[i] = Keys.headerValue(exchange.requestHeaders(), varyNames[i]);
    }
    return new Pass.Capture(status, stored, initialAge, lifetime, control, varyNames, varyValues, maxObject, length);
  }

  /** The stored response with the fields of a {@code 304} merged in (RFC 9111 section 4.3.4), fresh again. */
  private StoredResponse freshened(StoredResponse stale, Headers notModified, Pass pass) {
    Map<String, String> merged = new LinkedHashMap<>(stale.headers);
    for (String name : notModified.names()) {
      if (!NOT_STORED.contains(name) && !name.equals("content-encoding") && !name.equals("content-range")) {
        merged.put(name, String.join(", ", notModified.getAll(name)));
      }
    }
    CacheControl control = CacheControl.parse(merged.containsKey("cache-control") ? List.of(merged.get("cache-control")) : List.of());
    long nowMillis = System.currentTimeMillis();
    long date = HttpDates.parse(merged.get("date"));
    long lifetime = explicitLifetime(control, merged.get("expires"), date, nowMillis);
    if (lifetime < 0) {
      lifetime = defaultTtl >= 0 ? defaultTtl : stale.lifetime;
    }
    long initialAge = initialAge(notModified, date, nowMillis, pass.requestMillis);
    return new StoredResponse(stale.status, java.util.Collections.unmodifiableMap(merged), stale.body, ticker.nanoTime(),
        initialAge, lifetime, control, stale.keyValues, stale.varyNames, stale.varyValues);
  }

  /**
   * The freshness lifetime the response gives itself (RFC 9111 section 4.2.1), in seconds:
   * s-maxage, else max-age, else Expires minus Date (an invalid Expires: 0); -1 when it gives none.
   */
  private static long explicitLifetime(CacheControl control, String expiresField, long date, long nowMillis) {
    if (control.sMaxAge >= 0) {
      return control.sMaxAge;
    }
    if (control.maxAge >= 0) {
      return control.maxAge;
    }
    if (expiresField == null) {
      return -1;
    }
    long expires = HttpDates.parse(expiresField);
    return expires == Long.MIN_VALUE ? 0 : Math.max(0, (expires - (date == Long.MIN_VALUE ? nowMillis : date)) / 1000);
  }

  private boolean staleIfError(StoredResponse stale) {
    long staleness = stale.age(ticker.nanoTime()) - stale.lifetime;
    return !stale.control.forbidsStale() && stale.control.staleIfError >= 0 && stale.control.staleIfError >= staleness;
  }

  /** RFC 9111 section 4.2.3: the age the response had when it arrived here. */
  private static long initialAge(Headers headers, long date, long nowMillis, long requestMillis) {
    long apparent = date == Long.MIN_VALUE ? 0 : Math.max(0, (nowMillis - date) / 1000);
    long ageValue = 0;
    String age = headers.get("age");
    if (age != null) {
      try {
        ageValue = Math.max(0, Long.parseLong(age.strip()));
      } catch (NumberFormatException e) {
        ageValue = 0;
      }
    }
    long delay = Math.max(0, (nowMillis - requestMillis) / 1000);
    return Math.max(apparent, ageValue + delay);
  }

  private static Map<String, String> storedHeaders(Headers headers, long nowMillis) {
    Map<String, String> stored = new LinkedHashMap<>();
    for (String name : headers.names()) {
      if (!NOT_STORED.contains(name)) {
        stored.put(name, String.join(", ", headers.getAll(name)));
      }
    }
    // RFC 9110 section 6.6.1: a cache with a clock adds the Date an origin left out
    stored.putIfAbsent("date", HttpDates.format(nowMillis));
    return java.util.Collections.unmodifiableMap(stored);
  }

  /** The lower-case names in {@code Vary}; {@code null} for {@code Vary: *}. */
  private static String[] varyNames(Headers headers) {
    List<String> lines = headers.getAll("vary");
    if (lines.isEmpty()) {
      return Keys.NO_VALUES;
    }
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    for (String line : lines) {
      for (String name : line.split(",")) {
        String trimmed = name.strip().toLowerCase(Locale.ROOT);
        if (trimmed.equals("*")) {
          return null;
        }
        if (!trimmed.isEmpty()) {
          names.add(trimmed);
        }
      }
    }
    return names.toArray(String[]::new);
  }

  private static long contentLength(Headers headers) {
    String value = headers.get("content-length");
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * After a successful unsafe request: the target, and the targets its {@code Location} and
   * {@code Content-Location} name on the same host, are no longer served from the store (RFC 9111
   * section 4.4).
   */
  private void invalidate(Exchange exchange, Pass pass, Headers response) {
    remove(pass.target);
    for (String field : new String[] {"location", "content-location"}) {
      String value = response.get(field);
      if (value == null) {
        continue;
      }
      try {
        URI uri = URI.create("http://x" + (exchange.path().isEmpty() ? "/" : exchange.path())).resolve(value.strip());
        boolean sameHost = !value.contains("://") || exchange.host().equalsIgnoreCase(uri.getHost());
        if (sameHost && uri.getRawPath() != null) {
          remove(keys.target(exchange.scheme(), exchange.host(), uri.getRawPath(), uri.getRawQuery()));
        }
      } catch (IllegalArgumentException e) {
        // not a URI: nothing to invalidate
      }
    }
  }

  /** Removes every variant of {@code target}, here and in Redis. */
  private void remove(String target) {
    store.remove(target);
    if (redis != null) {
      redis.delete(target);
    }
  }

  private boolean isKeyHeader(String name) {
    for (String header : keys.headerNames()) {
      if (header.equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static String flightKey(Pass pass) {
    if (pass.keyValues.length == 0) {
      return pass.target;
    }
    return pass.target + '\n' + String.join("\n", java.util.Arrays.stream(pass.keyValues).map(String::valueOf).toList());
  }

  private static boolean pragmaNoCache(Headers headers) {
    String pragma = headers.get("pragma");
    return pragma != null && pragma.toLowerCase(Locale.ROOT).contains("no-cache");
  }

  private static boolean isSafe(String method) {
    return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS") || method.equals("TRACE");
  }

  // ---- operators ----

  /**
   * Removes the entries of {@code target} (or of every target starting with it) here and, with
   * {@code store: redis}, in Redis (asynchronously: {@code DEL}, or {@code SCAN} and {@code UNLINK});
   * counts those removed here. Other instances' local tiers keep theirs: purge each instance.
   */
  @Override
  public long purge(String target, boolean prefix) {
    if (redis != null) {
      if (prefix) {
        redis.deleteStartingWith(target);
      } else {
        redis.delete(target);
      }
    }
    return store.purge(target, prefix);
  }

  @Override
  public Map<String, Object> state() {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("entries", store.entries());
    state.put("bytes", store.bytes());
    state.put("max_bytes", config.maxByteCount());
    if (redis != null) {
      state.put("redis_connected", redis.connected());
    }
    return state;
  }

  @Override
  public void close() {
    if (redis != null) {
      redis.release();
    }
  }
}
