package io.sluice.spi;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * One request as plugins see it: the request head (after path normalization and routing),
 * its route, and attributes to share data with later plugins.
 *
 * <p>Hooks receive the exchange on its event loop (or on a virtual thread for plugins that
 * declare {@link PluginFactory#blocking()}); never keep it beyond {@link Plugin#onComplete}.
 * Request headers may be changed in {@link Plugin#onRequest}; what the plugin leaves there is
 * what the upstream receives.
 *
 * <p><b>Threads.</b> An exchange is not thread-safe. It belongs to its event loop, and, while its
 * {@code onRequest} runs, to a blocking plugin's virtual thread. Changing it (request headers,
 * attributes) from any other thread, such as the thread that completes an awaited stage, is
 * refused with {@link IllegalStateException}, which fails the plugin ({@code PLUGIN_ERROR}).
 * After asynchronous work, change the exchange in the resume step of
 * {@link Decision#await(java.util.concurrent.CompletionStage, Decision.Resume)}, which runs on the
 * event loop.
 */
public interface Exchange {

  /** The request id: sent upstream as {@code X-Request-Id}, returned to the client, and logged. */
  String requestId();

  /** The request method, upper case. */
  String method();

  /** {@code http} or {@code https}, as the client connected. */
  String scheme();

  /** The host the request was for, lower case, without port or trailing dot; empty when absent. */
  String host();

  /**
   * The normalized path, without query and without matrix parameters ({@code /a;v=1/b} is
   * {@code /a/b}): the path the route was matched on and that Java upstreams read (see
   * {@code docs/routing.md}). Never contains {@code ;}.
   */
  String path();

  /** The raw query string without {@code ?}, or {@code null}. */
  String rawQuery();

  /**
   * The values of a query parameter, in order; empty when absent. Names and values are decoded
   * like a form: {@code +} is a space and percent-escapes are UTF-8 (a byte sequence that is not
   * UTF-8 becomes U+FFFD). Decoding never fails: a malformed escape ({@code %zz}, a lone {@code %})
   * is kept as written. Parameters are separated by {@code &} only; {@code name} and
   * {@code name=} both have the value {@code ""}. The route's query conditions read the query the
   * same way.
   */
  List<String> queryParameter(String name);

  /** The value of a path parameter of the route's pattern, e.g. {@code id} for {@code /users/{id}}; or {@code null}. */
  String pathParameter(String name);

  /** The request headers (mutable in {@link Plugin#onRequest}). */
  Headers requestHeaders();

  /** The client's IP address as text (the TCP peer). */
  String clientAddress();

  /**
   * The client's IP address as text, behind trusted proxies: the TCP peer, unless the peer is in
   * {@code server.trusted_proxies}; then the first hop, read from the right, of
   * {@code X-Forwarded-For} (or of {@code Forwarded}'s {@code for=} when there is no
   * {@code X-Forwarded-For}) that is not itself a trusted proxy. A client that is not a trusted
   * proxy cannot change it with any header. Use it for per-client decisions (rate limits,
   * allow-lists); {@link #clientAddress()} is the connection's peer.
   *
   * {@snippet :
   * // trusted_proxies: [10.0.0.0/8]; peer 10.0.0.5 sent "X-Forwarded-For: 198.51.100.7, 10.0.0.9"
   * exchange.clientIp();   // "198.51.100.7"
   * }
   */
  default String clientIp() {
    return clientAddress();
  }

  /**
   * The certificate the client presented in the TLS handshake, already verified against the
   * listener's {@code client_ca}; empty on plain-text listeners, with {@code client_auth: none},
   * and when the client sent none under {@code client_auth: optional}.
   *
   * <p>This is the JDK's own certificate type, so a plugin reads whatever identity its
   * deployment uses (subject, subject alternative names, issuer, serial, a fingerprint of
   * {@code getEncoded()}) without the gateway choosing one for it. The object is immutable and
   * the same for every request of the connection.
   *
   * {@snippet :
   * String subject = exchange.clientCertificate()
   *     .map(cert -> cert.getSubjectX500Principal().getName())   // e.g. "CN=billing,O=Example"
   *     .orElse(null);
   * }
   */
  default Optional<X509Certificate> clientCertificate() {
    return Optional.empty();
  }

  /** Whether this is a gRPC call ({@code content-type: application/grpc...}). */
  boolean isGrpc();

  /** The id of the route that matched. */
  String routeId();

  /** Data shared between plugins of this exchange. */
  Attributes attributes();

  /**
   * When the gateway began this exchange (its request head had arrived), in nanoseconds of the system
   * ticker ({@link Ticker#SYSTEM}, which {@link PluginContext#ticker()} is outside tests): {@code
   * ticker.nanoTime() - exchange.startNanos()} is how long the exchange has taken so far. {@code 0} from an
   * implementation that does not know, such as a test double.
   */
  default long startNanos() {
    return 0;
  }

  /** The name of the listener the request came in on (as in {@code server.listeners}); empty when unknown. */
  default String listener() {
    return "";
  }

  /**
   * What the client speaks on this exchange: {@code HTTP/1.0}, {@code HTTP/1.1}, {@code HTTP/2}, {@code gRPC}
   * or {@code gRPC-Web}; empty when unknown.
   */
  default String protocol() {
    return "";
  }

  /**
   * Runs tasks on the thread this exchange belongs to (its event loop), one at a time, in the order
   * given; a task given from that thread runs after the current hook returns. A task must not block.
   *
   * <p>What it is for: an asynchronous client that can complete its work on a thread of the caller's
   * choosing (the JDK {@code HttpClient}'s executor, {@code CompletableFuture.thenApplyAsync}) answers
   * where the exchange lives instead of on a thread of its own, which saves a hand-off between
   * threads per call. It changes nothing of the threading rules above: decide in the resume step of
   * {@link Decision#await(java.util.concurrent.CompletionStage, Decision.Resume)}.
   *
   * <p>The default, used by implementations without an event loop such as test doubles, runs each
   * task at once on the calling thread.
   *
   * @since 1.1
   */
  default Executor executor() {
    return Runnable::run;
  }
}
