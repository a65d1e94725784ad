/**
 * The route table: routes compiled once per config snapshot into a host index and per-host
 * segment tries, so that a lookup costs about the depth of the path, not the number of routes.
 *
 * <p>{@link io.sluice.routing.RouteTable#compile} runs off the event loop when a snapshot is
 * built; {@link io.sluice.routing.RouteTable#match} runs on event loops, takes no locks, compiles
 * no patterns and, for routes without path parameters, allocates nothing. Everything here is
 * immutable and safe to share between threads. The matching order is described in
 * {@code docs/routing.md}.
 *
 * <p>Parameters and return values are never {@code null} unless their javadoc says so.
 */
package io.sluice.routing;
