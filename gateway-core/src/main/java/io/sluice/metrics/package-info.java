/**
 * The gateway's meters, exported by the admin listener's {@code GET /metrics}: requests and their
 * durations, upstream times, open connections and streams, plugin rejections, the JVM and Netty's
 * allocator. Everything recorded on an event loop goes to meters resolved before, without locks.
 * Nothing here is {@code null} unless its javadoc says so.
 */
package io.sluice.metrics;
