package io.sluice.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcTimeoutTest {

  @ParameterizedTest
  @CsvSource({
      "1n, 1",
      "1u, 1000",
      "1m, 1000000",
      "1S, 1000000000",
      "1M, 60000000000",
      "1H, 3600000000000",
      "0n, 0",
      "0H, 0",
      "00000007S, 7000000000",
      "99999999n, 99999999",
      "99999999S, 99999999000000000",
      "2562047H, 9223369200000000000",
  })
  void parsesEveryUnit(String header, long nanos) {
    assertThat(GrpcTimeout.parseNanos(header)).isEqualTo(nanos);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "S", "1", "10", "123456789S", "-1S", "+1S", "1s", "1h", "1U", "1N", "1x", " 1S", "1S ",
      "1 S", "1.5S", "1SS", "a1S", "１S"})
  void rejectsWhatIsNotATimeout(String header) {
    assertThat(GrpcTimeout.parseNanos(header)).isEqualTo(-1);
  }

  @Test
  void rejectsNull() {
    assertThat(GrpcTimeout.parseNanos(null)).isEqualTo(-1);
  }

  @Test
  void saturatesWhatDoesNotFitInALong() {
    // 2562048 hours is just past Long.MAX_VALUE nanoseconds.
    assertThat(GrpcTimeout.parseNanos("2562048H")).isEqualTo(Long.MAX_VALUE);
    assertThat(GrpcTimeout.parseNanos("99999999H")).isEqualTo(Long.MAX_VALUE);
    // Eight digits of minutes still fit (about 190 years).
    assertThat(GrpcTimeout.parseNanos("99999999M")).isEqualTo(5_999_999_940_000_000_000L);
  }

  @ParameterizedTest
  @CsvSource({
      "0, 0n",
      "1, 1n",
      "999, 999n",
      "1000, 1u",
      "99999999, 99999999n",
      "100000000, 100m",
      "100000001, 100m",
      "100001000, 100001u",
      "1000000000, 1S",
      "1500000000, 1500m",
      "60000000000, 1M",
      "90000000000, 90S",
      "3600000000000, 1H",
      "7200000000000, 2H",
      "123456789012, 123456m",
  })
  void formatsTheShortestExactValue(long nanos, String header) {
    assertThat(GrpcTimeout.format(nanos)).isEqualTo(header);
  }

  @Test
  void roundsDownSoTheUpstreamNeverGetsMoreTimeThanIsLeft() {
    // 123456789012ns needs nine digits in microseconds too; in milliseconds the 789012ns go.
    assertThat(GrpcTimeout.parseNanos(GrpcTimeout.format(123_456_789_012L))).isEqualTo(123_456_000_000L);
    // Nine digits in seconds: minutes it is, and the spare 40 seconds go.
    long nanos = TimeUnit.SECONDS.toNanos(100_000_000L) + 999_999_999L;
    String header = GrpcTimeout.format(nanos);
    assertThat(header).isEqualTo("1666666M");
    assertThat(GrpcTimeout.parseNanos(header)).isLessThanOrEqualTo(nanos);
  }

  @Test
  void everyFormattedValueIsValidAndNeverLongerThanTheTimeLeft() {
    long[] samples = {1, 7, 99_999_999, 100_000_000, 100_000_999, 99_999_999_999L, 100_000_000_000L,
        99_999_999_999_999L, 100_000_000_000_000L, 5_999_999_999_999_999L, 6_000_000_000_000_001L,
        359_999_999_999_999_999L, 360_000_000_000_000_001L, Long.MAX_VALUE - 1, Long.MAX_VALUE};
    for (long nanos : samples) {
      String header = GrpcTimeout.format(nanos);
      long parsed = GrpcTimeout.parseNanos(header);
      assertThat(header.length()).as(header).isBetween(2, 9);
      assertThat(parsed).as(header).isBetween(nanos - nanos / 100_000, nanos);
    }
    assertThat(GrpcTimeout.format(Long.MAX_VALUE)).isEqualTo("2562047H");
  }

  @Test
  void refusesANegativeRemainingTime() {
    assertThatThrownBy(() -> GrpcTimeout.format(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1ns");
  }
}
