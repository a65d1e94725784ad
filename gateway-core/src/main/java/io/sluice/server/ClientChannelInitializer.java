package io.sluice.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.sluice.config.ListenerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the pipeline of a new client connection from the listener's protocols: TLS first when
 * the listener terminates it, then HTTP/1.1 or HTTP/2 as ALPN negotiates, or, in clear text,
 * HTTP/2 when the client opens with the HTTP/2 preface (prior knowledge) and HTTP/1.1 otherwise.
 */
final class ClientChannelInitializer extends ChannelInitializer<Channel> {

  private final ServerState server;
  private final ClientPipelines pipelines;
  /** Volatile: a reload swaps in contexts read from the listener's current certificate files. */
  private volatile TlsContexts tls;
  private final boolean http1;
  private final boolean http2;

  /**
   * @param listener the listener's name, for metrics and the access log
   * @param tls the listener's TLS contexts, or {@code null} for plain text
   * @param protocols the listener's protocols ({@code http1}, {@code h2c}, {@code h2})
   * @param underscores the listener's {@code headers_with_underscores}
   */
  ClientChannelInitializer(ServerState server, String listener, TlsContexts tls, List<String> protocols,
      ListenerConfig.UnderscoreHeaders underscores) {
    this.server = server;
    this.tls = tls;
    this.http1 = protocols.contains("http1");
    this.http2 = protocols.contains(tls == null ? "h2c" : "h2");
    this.pipelines = new ClientPipelines(server, listener, tls, http1 && http2, underscores);
  }

  /**
   * Connections accepted from now on handshake with {@code contexts} (same listener config,
   * certificate or key files read again); those already accepted keep theirs.
   */
  void replaceTls(TlsContexts contexts) {
    this.tls = contexts;
  }

  /** What ALPN offers for {@code protocols}, most preferred first. */
  static List<String> alpnProtocols(List<String> protocols) {
    List<String> alpn = new ArrayList<>();
    if (protocols.contains("h2")) {
      alpn.add(ApplicationProtocolNames.HTTP_2);
    }
    if (protocols.contains("http1")) {
      alpn.add(ApplicationProtocolNames.HTTP_1_1);
    }
    return alpn;
  }

  @Override
  protected void initChannel(Channel channel) {
    // Counted from the moment it is accepted, before any byte says which protocol it speaks, so
    // that a drain waits for it: its client may be sending its first request right now.
    server.clientConnections().add(channel);
    TlsContexts tls = this.tls;
    if (tls != null) {
      channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()));
      if (http2) {
        channel.pipeline().addLast("alpn", new AlpnSelector(pipelines, http1));
        return;
      }
    } else if (http2) {
      channel.pipeline().addLast("preface", new PrefaceDetector(pipelines, http1));
      return;
    }
    pipelines.http1(channel.pipeline());
  }
}
