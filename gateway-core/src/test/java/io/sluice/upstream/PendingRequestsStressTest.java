package io.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.Endpoint;
import io.sluice.config.UpstreamConfig;
import io.sluice.config.UpstreamTimeouts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Many threads taking and giving back places among an upstream's pending requests: the cap holds, and all come back. */
class PendingRequestsStressTest {

  @Test
  void theCapHoldsUnderContentionAndEveryPlaceIsGivenBack() throws Exception {
    int max = 16;
    UpstreamConfig config = new UpstreamConfig("users", List.of(new Endpoint("http", "127.0.0.1", 9001)),
        UpstreamConfig.LoadBalancing.ROUND_ROBIN, UpstreamTimeouts.DEFAULTS, 4, UpstreamConfig.Protocol.HTTP1, null, null, max);
    AtomicLong overflows = new AtomicLong();
    UpstreamCluster cluster = new UpstreamCluster(config, nanos -> { }, overflows::incrementAndGet);
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger mostHeld = new AtomicInteger();
    AtomicLong taken = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 50_000; i++) {
          if (cluster.startPending()) {
            taken.incrementAndGet();
            mostHeld.accumulateAndGet(holding.incrementAndGet(), Math::max);
            holding.decrementAndGet();
            cluster.endPending();
          }
        }
      }));
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(mostHeld.get()).isLessThanOrEqualTo(max);
    assertThat(cluster.pending()).isZero();
    assertThat(taken.get() + overflows.get()).isEqualTo(8 * 50_000L);
  }
}
