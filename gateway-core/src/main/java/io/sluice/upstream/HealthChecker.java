package io.sluice.upstream;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.Endpoint;
import io.sluice.config.HealthCheckConfig;
import io.sluice.config.UpstreamConfig;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Probes the endpoints of one upstream of one config snapshot and reports each result to the
 * upstream's {@link EndpointHealth}. Each endpoint has its own schedule: its next probe starts
 * {@code interval} after the previous one ended, so probes of one endpoint never overlap however
 * slowly it answers. The first probes start at once.
 *
 * <p>{@link #start} and {@link #close} may be called from any thread; everything else runs on the
 * one event loop given to {@code start}, which owns the timers, the probes in flight and the
 * health counting, so nothing here takes a lock.
 */
public final class HealthChecker {

  private final List<Endpoint> endpoints;
  private final HealthProbe probe;
  private final EndpointHealth health;
  private final UpstreamPool.Settings settings;
  private final boolean http2;
  private final long intervalNanos;
  private final AtomicReference<EventLoop> loop = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private UpstreamConnector connector;
  // the loop's only
  private final ScheduledFuture<?>[] timers;
  private final ProbeCall[] calls;
  private final int[] probes;

  /**
   * @param poolSettings the upstream's connection settings, for its TLS context and server name;
   *     the check's own timeout replaces the connect timeout
   */
  HealthChecker(UpstreamConfig upstream, EndpointHealth health, UpstreamPool.Settings poolSettings) {
    HealthCheckConfig check = upstream.healthCheck();
    this.endpoints = upstream.endpoints();
    this.probe = HealthProbe.of(check);
    this.health = health;
    this.settings = new UpstreamPool.Settings(1, check.timeout(), poolSettings.idleTimeout(), poolSettings.tls(),
        poolSettings.serverName(), nanos -> { }); // probes' connects are not the data path's
    this.http2 = upstream.protocol().isHttp2();
    this.intervalNanos = check.interval().toNanos();
    this.timers = new ScheduledFuture<?>[endpoints.size()];
    this.calls = new ProbeCall[endpoints.size()];
    this.probes = new int[endpoints.size()];
  }

  /**
   * Starts probing on {@code eventLoop}, connecting (and resolving host names) as requests do with
   * {@code upstreamConnector}; does nothing when started or closed before.
   */
  public void start(EventLoop eventLoop, UpstreamConnector upstreamConnector) {
    if (closed.get() || !loop.compareAndSet(null, eventLoop)) {
      return;
    }
    connector = upstreamConnector; // published to the loop by execute()
    try {
      eventLoop.execute(() -> {
        for (int i = 0; i < endpoints.size(); i++) {
          probe(i);
        }
      });
    } catch (RejectedExecutionException e) {
      // the loop is shutting down: there is nothing left to check for
    }
  }

  /**
   * Stops probing: cancels the timers and closes the connections of probes in flight, whose
   * results are dropped. The future completes once that is done on the checker's loop.
   */
  public Future<?> close() {
    closed.set(true);
    EventLoop eventLoop = loop.get();
    if (eventLoop == null) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
    }
    try {
      return eventLoop.submit(this::stopAll);
    } catch (RejectedExecutionException e) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null); // shutting down takes the timers and channels along
    }
  }

  /** Timers pending and probes in flight; 0 once {@link #close} has completed. Call on the checker's loop. */
  int outstanding() {
    int count = 0;
    for (int i = 0; i < endpoints.size(); i++) {
      count += (timers[i] != null ? 1 : 0) + (calls[i] != null ? 1 : 0);
    }
    return count;
  }

  private void probe(int index) {
    timers[index] = null;
    if (closed.get()) {
      return;
    }
    ProbeCall call = new ProbeCall(probe, endpoints.get(index), failure -> ended(index, failure));
    calls[index] = call;
    call.start(loop.get(), connector, settings, http2, probes[index]++);
  }

  private void ended(int index, String failure) {
    calls[index] = null;
    if (closed.get()) {
      return;
    }
    health.record(index, failure);
    timers[index] = loop.get().schedule(() -> probe(index), intervalNanos, TimeUnit.NANOSECONDS);
  }

  private void stopAll() {
    for (int i = 0; i < endpoints.size(); i++) {
      if (timers[i] != null) {
        timers[i].cancel(false);
        timers[i] = null;
      }
      if (calls[i] != null) {
        calls[i].cancel();
        calls[i] = null;
      }
    }
  }
}
