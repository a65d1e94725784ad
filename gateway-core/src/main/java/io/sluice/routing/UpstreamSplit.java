package io.sluice.routing;

import io.sluice.config.ValueMatch;
import io.sluice.config.WeightedUpstream;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * A route's split of requests between upstreams (canary releases, blue/green): an override whose
 * header conditions all hold takes the request; otherwise an upstream is drawn with probability
 * proportional to its weight. Immutable, built once per snapshot; a pick reads arrays only.
 */
public final class UpstreamSplit {

  private final String[] names;
  /** Running totals of the weights: entry i takes draws in [cumulative[i-1], cumulative[i]). */
  private final long[] cumulative;
  private final Condition[][] overrides; // per entry; empty when it has none
  private final boolean hasOverrides;
  private final LongUnaryOperator random;

  /** A split that draws with {@link ThreadLocalRandom}. */
  public static UpstreamSplit of(List<WeightedUpstream> entries) {
    return new UpstreamSplit(entries, bound -> ThreadLocalRandom.current().nextLong(bound));
  }

  /** @param random a draw from {@code [0, bound)}; tests pass a fixed sequence */
  UpstreamSplit(List<WeightedUpstream> entries, LongUnaryOperator random) {
    int n = entries.size();
    this.names = new String[n];
    this.cumulative = new long[n];
    this.overrides = new Condition[n][];
    this.random = random;
    long total = 0;
    boolean any = false;
    for (int i = 0; i < n; i++) {
      WeightedUpstream entry = entries.get(i);
      names[i] = entry.upstream();
      total += entry.weight();
      cumulative[i] = total;
      List<ValueMatch> headers = entry.headers();
      overrides[i] = headers.stream().map(Condition::header).toArray(Condition[]::new);
      any |= overrides[i].length > 0;
    }
    this.hasOverrides = any;
  }

  /** The upstream for a request; {@code input} is asked about headers only when some entry has overrides. */
  public String pick(MatchInput input) {
    if (hasOverrides) {
      for (int i = 0; i < overrides.length; i++) {
        if (overrides[i].length > 0 && allHold(overrides[i], input)) {
          return names[i];
        }
      }
    }
    long draw = random.applyAsLong(cumulative[cumulative.length - 1]);
    for (int i = 0; i < cumulative.length; i++) {
      if (draw < cumulative[i]) {
        return names[i];
      }
    }
    return names[names.length - 1]; // unreachable with a draw below the total
  }

  /** Whether some entry is reached by header conditions, so that {@link #pick} needs the request's headers. */
  public boolean hasOverrides() {
    return hasOverrides;
  }

  private static boolean allHold(Condition[] conditions, MatchInput input) {
    for (Condition condition : conditions) {
      if (!condition.holds(input)) {
        return false;
      }
    }
    return true;
  }
}
