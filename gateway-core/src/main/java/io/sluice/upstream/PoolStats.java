package io.sluice.upstream;

/**
 * What the connection pools to one endpoint hold, summed over event loops (and over the upstreams
 * that name the endpoint), for the admin API.
 *
 * @param openConnections connections open or being opened
 * @param inFlight requests using a connection now
 * @param connectionsOpened connections opened since the pools were created
 */
public record PoolStats(int openConnections, int inFlight, long connectionsOpened) {

  public static final PoolStats EMPTY = new PoolStats(0, 0, 0);

  public PoolStats plus(PoolStats other) {
    return new PoolStats(openConnections + other.openConnections, inFlight + other.inFlight,
        connectionsOpened + other.connectionsOpened);
  }
}
