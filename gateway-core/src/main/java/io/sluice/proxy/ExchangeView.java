package io.sluice.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.sluice.config.Cidr;
import io.sluice.plugin.OwnedExchange;
import io.sluice.routing.PathParams;
import io.sluice.routing.QueryString;
import io.sluice.spi.AttributeKey;
import io.sluice.spi.Attributes;
import io.sluice.spi.Headers;
import java.security.cert.X509Certificate;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * What plugins see of an exchange: the request head, the route and shared attributes. It belongs
 * to the thread that made it, the connection's event loop (see {@link OwnedExchange}): request
 * headers and attributes changed from another thread are refused.
 */
public final class ExchangeView implements OwnedExchange, Attributes {

  private final RequestHead head;
  private final String requestId;
  private final String routeId;
  private final PathParams params;
  private final String clientAddress;
  private final X509Certificate clientCertificate;
  private final String clientIp;
  private Headers requestHeaders;
  private Map<String, List<String>> query;
  private Map<AttributeKey<?>, Object> attributes;
  private long startNanos;
  private String listener = "";
  private String protocol = "";
  private Executor executor = Runnable::run;
  /** The thread that may change the exchange: the one that made it (its event loop), or a blocking plugin's while it runs. */
  private volatile Thread owner = Thread.currentThread();

  /** A view of an exchange on a connection without a client certificate. */
  public ExchangeView(RequestHead head, String requestId, String routeId, PathParams params, String clientAddress) {
    this(head, requestId, routeId, params, clientAddress, null);
  }

  /** @param clientCertificate the client's TLS certificate, or {@code null} */
  public ExchangeView(RequestHead head, String requestId, String routeId, PathParams params, String clientAddress,
      X509Certificate clientCertificate) {
    this(head, requestId, routeId, params, clientAddress, clientCertificate, false, List.of());
  }

  /**
   * @param clientCertificate the client's TLS certificate, or {@code null}
   * @param trustedPeer whether the peer {@code clientAddress} is in {@code trustedProxies}
   * @param trustedProxies {@code server.trusted_proxies}, for {@link #clientIp()}
   */
  public ExchangeView(RequestHead head, String requestId, String routeId, PathParams params, String clientAddress,
      X509Certificate clientCertificate, boolean trustedPeer, List<Cidr> trustedProxies) {
    // read now, before any plugin can change the headers; only a trusted peer's headers are read at all
    this.clientIp = ForwardedClients.clientIp(clientAddress, trustedPeer, head.headers(), trustedProxies);
    this.head = head;
    this.requestId = requestId;
    this.routeId = routeId;
    this.params = params;
    this.clientAddress = clientAddress;
    this.clientCertificate = clientCertificate;
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public String method() {
    return head.method().name();
  }

  @Override
  public String scheme() {
    return head.scheme();
  }

  @Override
  public String host() {
    return head.host();
  }

  @Override
  public String path() {
    return head.path();
  }

  @Override
  public String rawQuery() {
    return head.rawQuery();
  }

  @Override
  public List<String> queryParameter(String name) {
    if (head.rawQuery() == null) {
      return List.of();
    }
    if (query == null) {
      query = QueryString.parse(head.rawQuery());
    }
    return query.getOrDefault(name, List.of());
  }

  @Override
  public String pathParameter(String name) {
    return params.get(name);
  }

  @Override
  public Headers requestHeaders() {
    if (requestHeaders == null) {
      requestHeaders = new NettyHeaders(head.headers(), this);
    }
    return requestHeaders;
  }

  @Override
  public String clientAddress() {
    return clientAddress;
  }

  @Override
  public String clientIp() {
    return clientIp;
  }

  @Override
  public Optional<X509Certificate> clientCertificate() {
    return Optional.ofNullable(clientCertificate);
  }

  @Override
  public boolean isGrpc() {
    String type = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
    return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16);
  }

  @Override
  public String routeId() {
    return routeId;
  }

  /** Records when and where the exchange began, for {@link #startNanos()}, {@link #listener()} and {@link #protocol()}. */
  public void arrivedOn(long exchangeStartNanos, String listenerName, String protocolName) {
    this.startNanos = exchangeStartNanos;
    this.listener = listenerName == null ? "" : listenerName;
    this.protocol = protocolName == null ? "" : protocolName;
  }

  /** Sets the event loop the exchange belongs to, for {@link #executor()}. */
  public void runsOn(Executor eventLoop) {
    this.executor = eventLoop;
  }

  @Override
  public Executor executor() {
    return executor;
  }

  @Override
  public long startNanos() {
    return startNanos;
  }

  @Override
  public String listener() {
    return listener;
  }

  @Override
  public String protocol() {
    return protocol;
  }

  @Override
  public Attributes attributes() {
    return this;
  }

  @Override
  public <T> T get(AttributeKey<T> key) {
    return attributes == null ? null : key.type().cast(attributes.get(key));
  }

  @Override
  public <T> void put(AttributeKey<T> key, T value) {
    checkOwner("attribute '", key.name());
    if (value == null) {
      if (attributes != null) {
        attributes.remove(key);
      }
      return;
    }
    if (attributes == null) {
      attributes = new IdentityHashMap<>(4);
    }
    attributes.put(key, key.type().cast(value));
  }

  @Override
  public void lendTo(Thread borrower) {
    owner = borrower;
  }

  @Override
  public void reclaim() {
    owner = Thread.currentThread();
  }

  /** Refuses a change from a thread that does not own the exchange; {@code kind} and {@code name} say what was changed. */
  void checkOwner(String kind, String name) {
    Thread current = Thread.currentThread();
    if (current != owner) {
      throw new IllegalStateException("request " + requestId + ": " + kind + name + "' changed on thread '" + current.getName()
          + "', which does not own the exchange (change it in a hook, or after asynchronous work in the resume step of"
          + " Decision.await(stage, (exchange, result) -> ...), which runs on the exchange's event loop)");
    }
  }
}
