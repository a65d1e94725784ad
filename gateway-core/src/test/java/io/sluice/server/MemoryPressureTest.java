package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.OverloadConfig;
import org.junit.jupiter.api.Test;

/** The memory-pressure level from readings given by the test: thresholds, the higher of heap and direct, hysteresis. */
class MemoryPressureTest {

  private static final OverloadConfig CONFIG = new OverloadConfig(0, new OverloadConfig.MemoryThresholds(0.8, 0.9),
      new OverloadConfig.MemoryThresholds(0.7, 0.85));

  private MemoryPressure.Reading next = new MemoryPressure.Reading(0.1, 0.1);
  private final MemoryPressure pressure = new MemoryPressure(() -> CONFIG, () -> next);

  private MemoryPressure.Level at(double heap, double direct) {
    next = new MemoryPressure.Reading(heap, direct);
    pressure.sample();
    return pressure.level();
  }

  @Test
  void eachThresholdRaisesTheLevelAndTheHigherOfHeapAndDirectCounts() {
    assertThat(at(0.5, 0.5)).isEqualTo(MemoryPressure.Level.NORMAL);
    assertThat(at(0.8, 0.1)).isEqualTo(MemoryPressure.Level.STOP_KEEP_ALIVE);
    assertThat(at(0.85, 0.85)).isEqualTo(MemoryPressure.Level.REFUSE); // direct past its refuse
    assertThat(at(0.95, 0.1)).isEqualTo(MemoryPressure.Level.REFUSE);
  }

  @Test
  void theLevelGoesDownOnlyOnceMemoryIsClearlyBelowTheThreshold() {
    at(0.91, 0.1);
    assertThat(at(0.88, 0.1)).as("just below refuse").isEqualTo(MemoryPressure.Level.REFUSE);
    assertThat(at(0.91, 0.1)).isEqualTo(MemoryPressure.Level.REFUSE);
    assertThat(pressure.changes()).isEqualTo(1); // hovering at the threshold: one change, one log line

    assertThat(at(0.84, 0.1)).isEqualTo(MemoryPressure.Level.STOP_KEEP_ALIVE);
    assertThat(at(0.76, 0.1)).isEqualTo(MemoryPressure.Level.STOP_KEEP_ALIVE);
    assertThat(at(0.74, 0.1)).isEqualTo(MemoryPressure.Level.NORMAL);
    assertThat(pressure.changes()).isEqualTo(3);
  }

  @Test
  void theHeapReadingIsTheHeapAfterTheLatestCollection() {
    double mib = 1024.0 * 1024 / Runtime.getRuntime().maxMemory();
    System.gc();
    double before = MemoryPressure.measure().heap();
    byte[][] retained = new byte[48][];
    for (int i = 0; i < retained.length; i++) {
      retained[i] = new byte[1024 * 1024];
    }
    System.gc();
    double holding = MemoryPressure.measure().heap();
    java.lang.ref.Reference.reachabilityFence(retained);
    retained = null;
    System.gc();
    double released = MemoryPressure.measure().heap();

    assertThat(holding - before).as("48 MiB retained through a collection").isGreaterThan(40 * mib);
    assertThat(holding - released).as("and freed by the next").isGreaterThan(40 * mib);
  }

  @Test
  void anUnknownReadingChangesNothing() {
    assertThat(at(-1, -1)).isEqualTo(MemoryPressure.Level.NORMAL);
    assertThat(at(-1, 0.9)).isEqualTo(MemoryPressure.Level.REFUSE);
  }
}
