package io.sluice.upstream;

import io.netty.handler.ssl.SslContext;
import io.sluice.config.Endpoint;
import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * Where requests from one event loop to one endpoint get their {@link UpstreamConnection}: a
 * {@link ConnectionPool} of HTTP/1.1 connections (one request at a time each) or an
 * {@link Http2ConnectionPool} of HTTP/2 streams multiplexed over a few connections. Either way the
 * exchange writes and reads HttpObjects on {@link UpstreamConnection#channel()}, so it does not
 * care which. Confined to its event loop: every method must be called there.
 */
public interface UpstreamPool {

  /** Callback for {@link #acquire}. Exactly one method is called, on the pool's event loop. */
  interface Acquirer {
    void onAcquired(UpstreamConnection connection);

    void onAcquireFailed(UpstreamFailure failure);
  }

  /**
   * Options that come from the upstream's config (which can change on reload).
   *
   * @param maxConnections cap on connections to the endpoint from one event loop
   * @param connectTimeout for TCP connect, TLS handshake and HTTP/2 settings together; also how
   *     long a request waits for a connection (or a stream) when all are busy
   * @param idleTimeout how long an unused connection is kept
   * @param tls the client TLS context for {@code https://} endpoints; {@code null} for cleartext
   * @param serverName the name sent as SNI and verified; {@code null} for the endpoint's host
   * @param connectTimes told the nanoseconds each connection took to become usable (resolve, connect, TLS)
   */
  record Settings(int maxConnections, Duration connectTimeout, Duration idleTimeout, SslContext tls, String serverName,
      LongConsumer connectTimes) {

    /** Cleartext connections. */
    public Settings(int maxConnections, Duration connectTimeout, Duration idleTimeout) {
      this(maxConnections, connectTimeout, idleTimeout, null, null, nanos -> { });
    }
  }

  Endpoint endpoint();

  /** Requests currently using a connection of this pool (for least-request balancing). */
  int inFlight();

  /** Connections opened since the pool was created (tests and metrics use it to see reuse). */
  long connectionsOpened();

  /** Connections open or being opened. */
  int openConnections();

  /** Hands {@code acquirer} a connection (or stream) ready for one request. */
  void acquire(Settings settings, Acquirer acquirer);

  /**
   * Like {@link #acquire}, for a retry after a failure that may have been the connection's
   * fault: the pool avoids handing out what may be just as broken.
   */
  void acquireNew(Settings settings, Acquirer acquirer);

  /** Called once per {@link #acquire} that succeeded, when the request no longer uses the connection. */
  void requestDone();

  /** Closes every connection that serves no request (shutdown). */
  void closeIdle();
}
