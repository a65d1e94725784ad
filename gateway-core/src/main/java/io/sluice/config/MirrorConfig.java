package io.sluice.config;

/**
 * A route's {@code mirror:}: copies of some of its requests go to another upstream, whose
 * answers are thrown away (shadow traffic for testing a new version with real requests).
 *
 * @param upstream the name of the upstream under {@code upstreams:} that gets the copies
 * @param fraction the share of requests copied, 0 to 1 ({@code percent: 10%} is 0.1)
 * @param maxBodyBytes requests with a larger body are not copied; {@code 0} copies bodyless requests only
 */
public record MirrorConfig(String upstream, double fraction, long maxBodyBytes) {

  /** Bodies are held in memory until complete before the copy goes out: a small bound by default. */
  public static final long MAX_BODY_BYTES_DEFAULT = 64 * 1024;
}
