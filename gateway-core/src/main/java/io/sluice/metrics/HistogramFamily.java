package io.sluice.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * A Prometheus histogram family (classic buckets, in seconds) whose series record into
 * {@link LongAdder}s: one per bucket, and one for the sum. Several event loops recording into the
 * series of a hot route touch striped cells instead of one contended array, and a record is a
 * short bucket search and two adds (Micrometer's timer also keeps a decaying max and rotating
 * windows, several times the work). Read when the registry is scraped.
 */
final class HistogramFamily implements Collector {

  private final String name;
  private final String help;
  private final String[] labelNames;
  private final long[] upperNanos;
  private final double[] upperSeconds;
  private final ConcurrentHashMap<List<String>, Series> series = new ConcurrentHashMap<>();

  /**
   * @param name the Prometheus name, without {@code _bucket}, {@code _count} or {@code _sum}
   * @param labelNames the names of the labels every series has, in the order {@link #series} gets their values
   * @param buckets the upper bounds of the buckets, increasing; {@code +Inf} is added
   */
  HistogramFamily(String name, String help, Duration[] buckets, String... labelNames) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    this.upperNanos = new long[buckets.length];
    this.upperSeconds = new double[buckets.length + 1];
    for (int i = 0; i < buckets.length; i++) {
      upperNanos[i] = buckets[i].toNanos();
      upperSeconds[i] = buckets[i].toNanos() / 1e9;
    }
    upperSeconds[buckets.length] = Double.POSITIVE_INFINITY;
  }

  /** The series with these label values (in the order of the label names), made on first use. */
  Series series(String... labelValues) {
    return series.computeIfAbsent(List.of(labelValues), values -> new Series(upperNanos));
  }

  /** Drops every series whose label values {@code doomed} accepts (the values in the order of the label names). */
  void removeIf(Predicate<List<String>> doomed) {
    series.keySet().removeIf(doomed);
  }

  /** The position of label {@code name} in the label values, or -1. */
  int labelIndex(String name) {
    return List.of(labelNames).indexOf(name);
  }

  @Override
  public String getPrometheusName() {
    return name;
  }

  @Override
  public MetricSnapshot collect() {
    HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(name).help(help);
    series.forEach((values, one) -> {
      long[] counts = new long[upperSeconds.length];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = one.buckets[i].sum();
      }
      snapshot.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
          .labels(Labels.of(labelNames, values.toArray(String[]::new)))
          .classicHistogramBuckets(ClassicHistogramBuckets.of(upperSeconds, counts))
          .sum(one.sumNanos.sum() / 1e9)
          .build());
    });
    return snapshot.build();
  }

  /** One series: a count per bucket (not cumulative; the last is beyond every bound) and the sum. */
  static final class Series {
    private final long[] upperNanos;
    private final LongAdder[] buckets;
    private final LongAdder sumNanos = new LongAdder();

    private Series(long[] upperNanos) {
      this.upperNanos = upperNanos;
      this.buckets = new LongAdder[upperNanos.length + 1];
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }

    /** Records one observation of {@code nanos}; never blocks, allocates nothing (past a first contention). */
    void record(long nanos) {
      int bucket = 0;
      while (bucket < upperNanos.length && nanos > upperNanos[bucket]) {
        bucket++;
      }
      buckets[bucket].increment();
      sumNanos.add(nanos);
    }
  }
}
