package io.sluice.config;

/**
 * How many retries may be in flight to an upstream at once ({@code upstreams.<name>.retry_budget},
 * after Envoy's): at most {@code budgetPercent} percent of the requests in flight to it, and never
 * fewer than {@code minRetryConcurrency}. Retries are what turns a struggling upstream into a dead
 * one; a budget lets them hide a lone failure without multiplying the load of an outage.
 *
 * @param budgetPercent retries in flight as a percentage of the requests in flight, 0..100
 * @param minRetryConcurrency retries in flight always allowed, however few requests there are
 */
public record RetryBudgetConfig(int budgetPercent, int minRetryConcurrency) {

  /** Envoy's defaults: 20% of active requests, at least 3. */
  public static final RetryBudgetConfig DEFAULTS = new RetryBudgetConfig(20, 3);
}
