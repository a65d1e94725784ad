package io.sluice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongConsumer;

/**
 * The meters of finished exchanges: request count and duration by route, method, status class
 * and upstream; body bytes by route and upstream; the upstream's time to a response head.
 *
 * <p>Labels are bounded: the route id (from the config), one of ten method names, one of six
 * status classes, the upstream name (from the config). A raw path never becomes a label.
 *
 * <p>The hot path ({@link #record}) does one lock-free map read by route id and an array read,
 * then increments and records into meters resolved before: the meters of a combination are
 * registered the first time it occurs and kept in a per-route table, so an exchange of a
 * combination seen before costs no registry lookup and allocates nothing. The two histograms are
 * {@link HistogramFamily}s (striped buckets) rather than Micrometer timers: they are recorded on
 * every exchange, by every event loop into the same series of a hot route. Called on event loops.
 */
public final class RequestMetrics {

  /** Route label of exchanges that matched no route. */
  public static final String NO_ROUTE = "-";
  /** Upstream label of exchanges the gateway answered itself (no route, a plugin's answer, a direct response). */
  public static final String NO_UPSTREAM = "none";

  /**
   * Buckets of the request duration histogram: from a cached or direct answer (1 ms) to a slow
   * upstream (10 s); beyond that only the count ({@code +Inf}) tells.
   */
  static final Duration[] DURATION_BUCKETS = millis(1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000);
  /** Buckets of the upstream connect time: loopback (0.5 ms) to a connect timeout-sized wait. */
  static final Duration[] CONNECT_BUCKETS = millis(0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 5000);

  static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "OTHER"};
  static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};

  private final MeterRegistry registry;
  private final HistogramFamily durations = new HistogramFamily("sluice_request_duration_seconds",
      "Time from the request head to the end of the exchange", DURATION_BUCKETS, "route", "method", "status_class", "upstream");
  private final HistogramFamily upstreamResponses = new HistogramFamily("sluice_upstream_response_seconds",
      "Time from sending a request upstream to the upstream's response head", DURATION_BUCKETS, "upstream");
  private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, UpstreamMeters> upstreams = new ConcurrentHashMap<>();

  /**
   * @param registry where the counters go; the two histograms are collected by its Prometheus
   *     registry when it has one (with another registry they are kept but not exported)
   */
  public RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      prometheus.getPrometheusRegistry().register(durations);
      prometheus.getPrometheusRegistry().register(upstreamResponses);
    }
  }

  /**
   * Counts one finished exchange.
   *
   * @param routeId the matched route, or {@link #NO_ROUTE}
   * @param method the request method as sent
   * @param status the status the client got
   * @param upstream the upstream the request went to, or {@code null} when the gateway answered itself
   * @param durationNanos from the request head to the end of the exchange
   * @param upstreamResponseNanos from sending upstream to its response head, or negative when none came
   */
  public void record(String routeId, String method, int status, String upstream, long durationNanos,
      long upstreamResponseNanos, long requestBytes, long responseBytes) {
    RouteMeters route = routes.get(routeId);
    if (route == null) {
      route = routes.computeIfAbsent(routeId, RouteMeters::new);
    }
    Target target = route.target(upstream == null ? NO_UPSTREAM : upstream);
    int slot = methodIndex(method) * STATUS_CLASSES.length + statusClassIndex(status);
    Outcome outcome = target.outcomes.get(slot);
    if (outcome == null) {
      outcome = target.outcome(slot);
    }
    outcome.requests.increment();
    outcome.duration.record(durationNanos);
    if (requestBytes > 0) {
      target.requestBytes.increment(requestBytes);
    }
    if (responseBytes > 0) {
      target.responseBytes.increment(responseBytes);
    }
    if (upstreamResponseNanos >= 0 && target.upstream != null) {
      target.upstream.response.record(upstreamResponseNanos);
    }
  }

  /**
   * Where the connect times of {@code upstream} go (see {@link io.sluice.upstream.UpstreamPool.Settings}):
   * the time to open a connection to one of its endpoints, DNS, TCP and TLS included. Registered
   * now, when the snapshot is compiled; recording is one timer record on the event loop.
   */
  public static LongConsumer connectTimes(MeterRegistry registry, String upstream) {
    Timer connect = Timer.builder("sluice.upstream.connect")
        .description("Time to open a connection to an endpoint of the upstream (DNS, TCP, TLS)")
        .tag("upstream", upstream).serviceLevelObjectives(CONNECT_BUCKETS).register(registry);
    return nanos -> connect.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Where the requests to {@code upstream} refused by its {@code max_pending_requests} are counted
   * ({@code sluice_upstream_pending_overflow_total{upstream}}); registered when the snapshot is compiled.
   */
  public static Runnable pendingOverflows(MeterRegistry registry, String upstream) {
    Counter overflows = Counter.builder("sluice.upstream.pending_overflow")
        .description("Requests refused with UPSTREAM_OVERLOADED because max_pending_requests were waiting for a connection")
        .tag("upstream", upstream).register(registry);
    return overflows::increment;
  }

  /**
   * Drops the meters of routes and upstreams not in {@code liveRoutes} and {@code liveUpstreams}
   * (those of every snapshot still in use), so that reloads that rename or remove routes do not
   * grow the registry without bound: every {@code sluice.*} meter tagged with such a route or
   * upstream goes (request meters, plugin timers, plugin meters). Called off the event loops, with
   * no snapshot published meanwhile. A route whose table refers to a removed upstream loses its
   * table; the next exchange of it resolves its meters again (the registry still has the live ones).
   */
  public void retain(Set<String> liveRoutes, Set<String> liveUpstreams) {
    routes.entrySet().removeIf(entry -> !isLive(entry.getKey(), NO_ROUTE, liveRoutes)
        || !entry.getValue().targetsIn(liveUpstreams));
    upstreams.keySet().removeIf(name -> !liveUpstreams.contains(name));
    int route = durations.labelIndex("route");
    int upstream = durations.labelIndex("upstream");
    durations.removeIf(values -> !isLive(values.get(route), NO_ROUTE, liveRoutes)
        || !isLive(values.get(upstream), NO_UPSTREAM, liveUpstreams));
    upstreamResponses.removeIf(values -> !liveUpstreams.contains(values.get(0)));
    for (Meter meter : List.copyOf(registry.getMeters())) {
      Meter.Id id = meter.getId();
      if (id.getName().startsWith("sluice.") && (!isLive(id.getTag("route"), NO_ROUTE, liveRoutes)
          || !isLive(id.getTag("upstream"), NO_UPSTREAM, liveUpstreams))) {
        registry.remove(meter);
      }
    }
  }

  private static boolean isLive(String tag, String always, Set<String> live) {
    return tag == null || tag.equals(always) || live.contains(tag);
  }

  static int methodIndex(String method) {
    return switch (method) {
      case "GET" -> 0;
      case "HEAD" -> 1;
      case "POST" -> 2;
      case "PUT" -> 3;
      case "DELETE" -> 4;
      case "PATCH" -> 5;
      case "OPTIONS" -> 6;
      case "CONNECT" -> 7;
      case "TRACE" -> 8;
      default -> 9;
    };
  }

  static int statusClassIndex(int status) {
    return status >= 100 && status < 600 ? status / 100 - 1 : 5;
  }

  private UpstreamMeters upstream(String name) {
    UpstreamMeters meters = upstreams.get(name);
    return meters != null ? meters : upstreams.computeIfAbsent(name, this::newUpstreamMeters);
  }

  private UpstreamMeters newUpstreamMeters(String name) {
    return new UpstreamMeters(upstreamResponses.series(name));
  }

  private static Duration[] millis(double... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Duration.ofNanos((long) (values[i] * 1_000_000));
    }
    return out;
  }

  private record UpstreamMeters(HistogramFamily.Series response) {}

  /** The requests and duration of one (route, method, status class, upstream). */
  private record Outcome(Counter requests, HistogramFamily.Series duration) {}

  /** The meters of one route, by the upstream its exchanges went to (usually one, and {@code none}). */
  private final class RouteMeters {
    private final String routeId;
    /** Copied on write; read without a lock. */
    private volatile Target[] targets = new Target[0];

    RouteMeters(String routeId) {
      this.routeId = routeId;
    }

    Target target(String upstream) {
      Target[] current = targets;
      for (Target target : current) {
        if (target.upstreamName.equals(upstream)) {
          return target;
        }
      }
      return addTarget(upstream);
    }

    private synchronized Target addTarget(String upstream) {
      for (Target target : targets) {
        if (target.upstreamName.equals(upstream)) {
          return target;
        }
      }
      Target added = new Target(routeId, upstream);
      Target[] grown = java.util.Arrays.copyOf(targets, targets.length + 1);
      grown[grown.length - 1] = added;
      targets = grown;
      return added;
    }

    boolean targetsIn(Set<String> liveUpstreams) {
      for (Target target : targets) {
        if (!isLive(target.upstreamName, NO_UPSTREAM, liveUpstreams)) {
          return false;
        }
      }
      return true;
    }
  }

  /** The meters of one (route, upstream): bytes, and a table of outcomes by method and status class. */
  private final class Target {
    final String routeId;
    final String upstreamName;
    final Tags tags;
    final UpstreamMeters upstream;
    final Counter requestBytes;
    final Counter responseBytes;
    final AtomicReferenceArray<Outcome> outcomes = new AtomicReferenceArray<>(METHODS.length * STATUS_CLASSES.length);

    Target(String routeId, String upstreamName) {
      this.routeId = routeId;
      this.upstreamName = upstreamName;
      this.tags = Tags.of(Tag.of("route", routeId), Tag.of("upstream", upstreamName));
      this.upstream = upstreamName.equals(NO_UPSTREAM) ? null : upstream(upstreamName);
      this.requestBytes = Counter.builder("sluice.request.body").baseUnit("bytes")
          .description("Request body bytes received from clients").tags(tags).register(registry);
      this.responseBytes = Counter.builder("sluice.response.body").baseUnit("bytes")
          .description("Response body bytes sent to clients").tags(tags).register(registry);
    }

    Outcome outcome(int slot) {
      String method = METHODS[slot / STATUS_CLASSES.length];
      String statusClass = STATUS_CLASSES[slot % STATUS_CLASSES.length];
      Outcome made = new Outcome(
          Counter.builder("sluice.requests").description("Requests answered")
              .tags(tags.and("method", method).and("status_class", statusClass)).register(registry),
          durations.series(routeId, method, statusClass, upstreamName));
      // a racing loop may have made the same one: the registry and the family returned the same to both
      return outcomes.compareAndSet(slot, null, made) ? made : outcomes.get(slot);
    }
  }
}
