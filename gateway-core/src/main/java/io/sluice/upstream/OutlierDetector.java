package io.sluice.upstream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.Endpoint;
import io.sluice.config.OutlierDetectionConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Passive outlier detection for one upstream (Envoy's outlier detection): exchanges report how
 * each attempt ended, and an endpoint that fails too often is ejected, taken out of balancing
 * through {@link EndpointHealth}, for {@code base_ejection_time} times the number of times it was
 * ejected (at most {@code max_ejection_time}); it then returns without a probe. The multiplier
 * goes down by one every {@code interval} the endpoint spends in service, so an endpoint that
 * fails once a day is not ejected for an hour.
 *
 * <p>Threads: {@link #report} is called by every event loop and only touches atomic counters;
 * the decisions (eject, return, the interval's failure percentages) run on one event loop, the
 * health checker's, given to {@link #start}, which owns the ejection state and the timers, so no
 * lock is taken anywhere. A crossing threshold queues one judgement on that loop.
 *
 * <p>At most {@code max_ejection_percent} of the endpoints are ejected at once (at least one, as in
 * Envoy, but never all), so bad luck or a failure of the clients cannot empty the upstream.
 */
public final class OutlierDetector {

  private static final System.Logger LOG = System.getLogger(OutlierDetector.class.getName());

  /** How an attempt at an endpoint ended, as far as outlier detection cares. */
  public enum Result {
    /** A response with a status below 500. */
    SUCCESS,
    /** A 5xx response, or a failure after connecting: reset, timeout, malformed answer. */
    FAILURE,
    /** No connection could be opened. */
    CONNECT_FAILURE
  }

  private final String upstream;
  private final OutlierDetectionConfig config;
  private final Endpoint[] endpoints;
  private final EndpointHealth health;
  private final int maxEjected;
  private final Counter[] ejectionsBy; // by reason: consecutive_5xx, consecutive_connect_failures, failure_percentage
  // any thread
  private final AtomicIntegerArray consecutive5xx;
  private final AtomicIntegerArray consecutiveConnect;
  private final AtomicLongArray requests; // this interval, with failure_percentage only
  private final AtomicLongArray failures;
  private final AtomicIntegerArray queued; // a judgement of the endpoint is queued on the loop
  private final AtomicIntegerArray ejectedFlags; // 1 while ejected; read by the admin API
  private final AtomicIntegerArray multipliers;
  private volatile int ejectedCount;
  private volatile EventLoop loop;
  private volatile boolean closed;
  // the loop's only
  private final ScheduledFuture<?>[] returns;
  private ScheduledFuture<?> tick;

  OutlierDetector(String upstream, OutlierDetectionConfig config, EndpointHealth health, MeterRegistry meters) {
    this.upstream = upstream;
    this.config = config;
    this.health = health;
    List<Endpoint> all = health.endpoints();
    this.endpoints = all.toArray(Endpoint[]::new);
    int n = endpoints.length;
    this.maxEjected = n <= 1 ? 0 : Math.min(n - 1, Math.max(1, n * config.maxEjectionPercent() / 100));
    this.consecutive5xx = new AtomicIntegerArray(n);
    this.consecutiveConnect = new AtomicIntegerArray(n);
    this.requests = new AtomicLongArray(n);
    this.failures = new AtomicLongArray(n);
    this.queued = new AtomicIntegerArray(n);
    this.ejectedFlags = new AtomicIntegerArray(n);
    this.multipliers = new AtomicIntegerArray(n);
    this.returns = new ScheduledFuture<?>[n];
    this.ejectionsBy = new Counter[3];
    String[] reasons = {"consecutive_5xx", "consecutive_connect_failures", "failure_percentage"};
    for (int i = 0; i < reasons.length; i++) {
      ejectionsBy[i] = meters == null ? null : Counter.builder("sluice.upstream.ejections")
          .description("Endpoints ejected by outlier detection").tag("upstream", upstream).tag("reason", reasons[i])
          .register(meters);
    }
  }

  /** The most endpoints ejected at one time. */
  public int maxEjected() {
    return maxEjected;
  }

  /** Endpoints ejected now. */
  public int ejectedCount() {
    return ejectedCount;
  }

  /** Whether {@code endpoint} is ejected now. */
  public boolean isEjected(Endpoint endpoint) {
    int index = indexOf(endpoint);
    return index >= 0 && ejectedFlags.get(index) == 1;
  }

  /** How many ejections count towards {@code endpoint}'s next ejection time (it grows with each, decays in service). */
  public int ejections(Endpoint endpoint) {
    int index = indexOf(endpoint);
    return index < 0 ? 0 : multipliers.get(index);
  }

  /** Reports how an attempt at {@code endpoint} ended. Any thread; lock-free. */
  public void report(Endpoint endpoint, Result result) {
    int index = indexOf(endpoint);
    if (index < 0) {
      return;
    }
    if (config.failurePercentage() != null) {
      requests.incrementAndGet(index);
      if (result != Result.SUCCESS) {
        failures.incrementAndGet(index);
      }
    }
    switch (result) {
      case SUCCESS -> {
        if (consecutive5xx.get(index) != 0) {
          consecutive5xx.set(index, 0);
        }
        if (consecutiveConnect.get(index) != 0) {
          consecutiveConnect.set(index, 0);
        }
      }
      case FAILURE -> {
        if (config.consecutive5xx() > 0 && consecutive5xx.incrementAndGet(index) >= config.consecutive5xx()) {
          queueJudgement(index);
        }
      }
      case CONNECT_FAILURE -> {
        if (config.consecutiveConnectFailures() > 0
            && consecutiveConnect.incrementAndGet(index) >= config.consecutiveConnectFailures()) {
          queueJudgement(index);
        }
      }
    }
  }

  /** Starts judging on {@code eventLoop}, the health checker's (or the only loop that judges this upstream). */
  void start(EventLoop eventLoop) {
    if (loop != null || closed) {
      return;
    }
    loop = eventLoop;
    try {
      eventLoop.execute(this::scheduleTick);
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }

  /** Stops judging; ejected endpoints stay ejected in this (retiring) cluster. */
  void close() {
    closed = true;
    EventLoop eventLoop = loop;
    if (eventLoop == null) {
      return;
    }
    try {
      eventLoop.execute(() -> {
        if (tick != null) {
          tick.cancel(false);
        }
        for (ScheduledFuture<?> timer : returns) {
          if (timer != null) {
            timer.cancel(false);
          }
        }
      });
    } catch (RejectedExecutionException e) {
      // shutting down takes the timers along
    }
  }

  private int indexOf(Endpoint endpoint) {
    for (int i = 0; i < endpoints.length; i++) {
      if (endpoints[i] == endpoint) {
        return i;
      }
    }
    for (int i = 0; i < endpoints.length; i++) {
      if (endpoints[i].equals(endpoint)) {
        return i;
      }
    }
    return -1;
  }

  private void queueJudgement(int index) {
    EventLoop eventLoop = loop;
    if (eventLoop == null || closed || !queued.compareAndSet(index, 0, 1)) {
      return;
    }
    try {
      eventLoop.execute(() -> judge(index));
    } catch (RejectedExecutionException e) {
      queued.set(index, 0);
    }
  }

  // ---- on the loop ----

  private void judge(int index) {
    queued.set(index, 0);
    if (closed || ejectedFlags.get(index) == 1) {
      return;
    }
    int in5xx = consecutive5xx.get(index);
    int inConnect = consecutiveConnect.get(index);
    if (config.consecutive5xx() > 0 && in5xx >= config.consecutive5xx()) {
      eject(index, 0, in5xx + " failed " + (in5xx == 1 ? "request" : "requests") + " (5xx, reset or timeout) in a row");
    } else if (config.consecutiveConnectFailures() > 0 && inConnect >= config.consecutiveConnectFailures()) {
      eject(index, 1, inConnect + " failed " + (inConnect == 1 ? "connect" : "connects") + " in a row");
    }
  }

  private void eject(int index, int reason, String why) {
    if (ejectedCount >= maxEjected) {
      return; // counters stay past the threshold: the next failure asks again, when another may have returned
    }
    int times = multipliers.incrementAndGet(index);
    Duration base = config.baseEjectionTime();
    Duration time = base.multipliedBy(times);
    if (time.compareTo(config.maxEjectionTime()) > 0) {
      time = config.maxEjectionTime();
    }
    ejectedFlags.set(index, 1);
    ejectedCount++;
    health.eject(index, true);
    if (ejectionsBy[reason] != null) {
      ejectionsBy[reason].increment();
    }
    returns[index] = loop.schedule(() -> bringBack(index), time.toNanos(), TimeUnit.NANOSECONDS);
    LOG.log(System.Logger.Level.WARNING, "upstream ''{0}'': endpoint {1} ejected for {2} ({3}; ejection {4} of this"
        + " endpoint); {5} of {6} endpoints ejected", upstream, endpoints[index], readable(time), why, times, ejectedCount,
        endpoints.length);
  }

  /** {@code 30s} or {@code 1500ms}, as durations are written in the config. */
  private static String readable(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  private void bringBack(int index) {
    returns[index] = null;
    if (closed || ejectedFlags.get(index) == 0) {
      return;
    }
    consecutive5xx.set(index, 0);
    consecutiveConnect.set(index, 0);
    requests.set(index, 0);
    failures.set(index, 0);
    ejectedFlags.set(index, 0);
    ejectedCount--;
    health.eject(index, false);
    LOG.log(System.Logger.Level.INFO, "upstream ''{0}'': endpoint {1} is back in service after its ejection", upstream,
        endpoints[index]);
  }

  private void scheduleTick() {
    if (!closed) {
      tick = loop.schedule(this::onInterval, config.interval().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** Each interval: judge the failure percentages of the interval, and decay the multipliers of endpoints in service. */
  private void onInterval() {
    if (closed) {
      return;
    }
    for (int i = 0; i < endpoints.length; i++) {
      if (ejectedFlags.get(i) == 0 && multipliers.get(i) > 0) {
        multipliers.decrementAndGet(i);
      }
    }
    OutlierDetectionConfig.FailurePercentage percentage = config.failurePercentage();
    if (percentage != null) {
      long[] volume = new long[endpoints.length];
      long[] failed = new long[endpoints.length];
      int judged = 0;
      for (int i = 0; i < endpoints.length; i++) {
        volume[i] = requests.getAndSet(i, 0);
        failed[i] = failures.getAndSet(i, 0);
        if (volume[i] >= percentage.requestVolume()) {
          judged++;
        }
      }
      if (judged >= percentage.minimumHosts()) {
        for (int i = 0; i < endpoints.length; i++) {
          long percent = volume[i] == 0 ? 0 : failed[i] * 100 / volume[i];
          if (ejectedFlags.get(i) == 0 && volume[i] >= percentage.requestVolume() && percent >= percentage.threshold()) {
            eject(i, 2, percent + "% of " + volume[i] + " requests failed in the last " + config.interval().toMillis() + "ms");
          }
        }
      }
    }
    scheduleTick();
  }
}
