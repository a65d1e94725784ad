/**
 * Upstream endpoints, load balancing and connection pools.
 *
 * <p>Pools are per event loop: a connection is created on, used by and returned to the event
 * loop of the inbound connection that asked for it, so nothing here takes a lock. Every
 * method of {@link io.sluice.upstream.ConnectionPool} and {@link io.sluice.upstream.UpstreamPools}
 * must be called on that loop.
 */
package io.sluice.upstream;
