package io.sluice.config;

import java.time.Duration;

/**
 * Client-facing limits; each has a documented default (see {@code docs/configuration.md}).
 *
 * @param maxRequestLineBytes longest request line; longer gets 414
 * @param maxHeaderBytes total bytes of all request header lines; more gets 431
 * @param maxHeaderCount number of request header fields; more gets 431
 * @param maxHeaderFieldBytes bytes of one request header (or trailer) field, name and value; more gets 431
 * @param maxChunkLineBytes longest chunk-size line of a chunked request body (size and extensions); longer
 *     gets 400. At least {@code maxRequestLineBytes}: Netty's decoder reads both kinds of line with one
 *     bounded reader, set to this, and the request line is held to its own limit after it was read
 * @param maxBodyBytes request body limit unless a route sets its own; more gets 413
 * @param requestHeaderTimeout total time from a request's first byte until its header is complete
 * @param requestBodyTimeout window in which a request body must make progress at {@code minRequestBodyRate}
 * @param minRequestBodyRate bytes per second a request body must sustain, measured per {@code requestBodyTimeout} window
 * @param keepAliveTimeout how long an idle client connection is kept open between requests
 * @param writeTimeout how long a client may stop reading before its connection is closed
 */
public record LimitsConfig(
    int maxRequestLineBytes,
    int maxHeaderBytes,
    int maxHeaderCount,
    int maxHeaderFieldBytes,
    int maxChunkLineBytes,
    long maxBodyBytes,
    Duration requestHeaderTimeout,
    Duration requestBodyTimeout,
    long minRequestBodyRate,
    Duration keepAliveTimeout,
    Duration writeTimeout) {

  public static final LimitsConfig DEFAULTS = new LimitsConfig(
      8 * 1024,
      16 * 1024,
      100,
      8 * 1024,
      8 * 1024,
      10L * 1024 * 1024,
      Duration.ofSeconds(10),
      Duration.ofSeconds(30),
      1024,
      Duration.ofSeconds(60),
      Duration.ofSeconds(30));
}
