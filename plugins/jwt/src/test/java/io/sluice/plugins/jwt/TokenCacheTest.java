package io.sluice.plugins.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Identity;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The verified-token cache on its own: where its upkeep runs. */
class TokenCacheTest {

  final TestTime time = new TestTime(TestKeys.NOW);

  TokenVerifier.Verified verified(String subject) {
    return new TokenVerifier.Verified(new Identity(subject, null, Map.of(), null, "jwt"), Map.of(),
        TestKeys.NOW.plusSeconds(3600).toEpochMilli(), Failure.EXPIRED);
  }

  @Test
  void theCacheEvictsOnTheCallersThreadEvenWithEveryPoolThreadBusy() throws Exception {
    TokenCache cache = new TokenCache(2, time, time);
    ForkJoinPool pool = ForkJoinPool.commonPool();
    CountDownLatch busy = new CountDownLatch(pool.getParallelism());
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < pool.getParallelism(); i++) {
      pool.execute(() -> {
        busy.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
    try {
      assertThat(busy.await(10, TimeUnit.SECONDS)).as("every common-pool thread is busy").isTrue();

      for (int i = 0; i < 3; i++) {
        cache.put(TokenCache.keyOf("token-" + i), verified("user-" + i));
      }

      // no pool thread could have done it: the upkeep ran in put itself
      assertThat(cache.size()).isEqualTo(2);
    } finally {
      release.countDown();
    }
  }
}
