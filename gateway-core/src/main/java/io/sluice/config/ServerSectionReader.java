package io.sluice.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads {@code server:}: listeners, the admin listener, trusted proxies, limits and server-wide settings. */
final class ServerSectionReader {

  static final List<String> KEYS =
      List.of("listeners", "admin", "trusted_proxies", "limits", "http2", "event_loops", "transport", "drain_timeout",
          "access_log", "dns", "strip_request_headers", "reload", "tracing", "overload");
  static final List<String> OVERLOAD_KEYS = List.of("max_in_flight", "heap", "direct_memory");
  static final List<String> MEMORY_THRESHOLD_KEYS = List.of("stop_keep_alive", "refuse");
  static final List<String> ACCESS_LOG_KEYS = List.of("format", "path", "max_size", "max_files");
  static final List<String> TRACING_KEYS = List.of("propagate", "sampled");
  static final List<String> LISTENER_KEYS = List.of("name", "bind", "port", "protocols", "tls", "headers_with_underscores");
  static final List<String> ADMIN_KEYS = List.of("enabled", "bind", "port", "token");
  static final List<String> LIMIT_KEYS = List.of(
      "max_request_line_bytes", "max_header_bytes", "max_header_count", "max_header_field_bytes", "max_chunk_line_bytes",
      "max_body_bytes", "request_header_timeout", "request_body_timeout", "min_request_body_rate", "keep_alive_timeout",
      "write_timeout");
  static final List<String> RELOAD_KEYS = List.of("watch", "debounce");
  static final List<String> DNS_KEYS = List.of("name_servers", "min_ttl", "max_ttl", "negative_ttl", "query_timeout");
  static final List<String> HTTP2_KEYS =
      List.of("max_concurrent_streams", "initial_window_size", "max_frame_size", "max_resets", "reset_window",
          "max_server_resets");

  static final AdminConfig ADMIN_DEFAULTS = new AdminConfig(false, "127.0.0.1", 9901);
  static final Duration DRAIN_TIMEOUT_DEFAULT = Duration.ofSeconds(30);

  private static final String PORT = "a port 0..65535";
  private static final String NAME_SERVER = "an IP address with an optional port, such as 10.0.0.2, 10.0.0.2:5353 or [fd00::53]:53";
  private static final List<String> PROTOCOLS = List.of("http1", "h2c", "h2");
  private static final String PROTOCOL_CHOICES = "http1, h2c or h2";
  private static final int MAX_EVENT_LOOPS = 1024;
  private static final Map<String, ServerConfig.IoTransport> TRANSPORTS =
      UpstreamSectionReader.words(ServerConfig.IoTransport.values());
  private static final Map<String, AccessLogConfig.Format> ACCESS_LOG_FORMATS =
      UpstreamSectionReader.words(AccessLogConfig.Format.values());
  /** Rotating more often than every megabyte would mostly be renaming files. */
  private static final long MIN_ROTATED_SIZE = 1024 * 1024;
  private static final Map<String, ListenerConfig.UnderscoreHeaders> UNDERSCORE_HEADERS =
      UpstreamSectionReader.words(ListenerConfig.UnderscoreHeaders.values());

  /** Which listener holds each {@code bind:port}, so that a second one is caught before bind() fails at startup. */
  private final Map<String, String> boundBy = new HashMap<>();
  /** The config file's folder, against which relative certificate paths are resolved. */
  private final Path baseDir;

  private ServerSectionReader(Path baseDir) {
    this.baseDir = baseDir;
  }

  static ServerConfig read(YamlNode node, Path baseDir) {
    return new ServerSectionReader(baseDir).server(node);
  }

  private ServerConfig server(YamlNode node) {
    YamlMap server = node.map(KEYS);
    List<ListenerConfig> listeners = server.required("listeners").map(this::listeners).orElse(List.of());
    AdminConfig admin = server.optional("admin").map(this::admin).orElse(ADMIN_DEFAULTS);
    List<Cidr> trustedProxies = server.optional("trusted_proxies").map(ServerSectionReader::cidrs).orElse(List.of());
    LimitsConfig limits = server.optional("limits").map(ServerSectionReader::limits).orElse(LimitsConfig.DEFAULTS);
    Http2Config http2 = server.optional("http2").map(ServerSectionReader::http2).orElse(Http2Config.DEFAULTS);
    int eventLoops = server.optional("event_loops")
        .flatMap(n -> n.integer(0, MAX_EVENT_LOOPS, "0 for one per core, or a number of event loops up to " + MAX_EVENT_LOOPS))
        .orElse(0);
    ServerConfig.IoTransport transport =
        server.optional("transport").flatMap(n -> n.oneOf("transport", TRANSPORTS)).orElse(ServerConfig.IoTransport.AUTO);
    Duration drainTimeout = server.optional("drain_timeout").flatMap(n -> n.duration(true)).orElse(DRAIN_TIMEOUT_DEFAULT);
    AccessLogConfig accessLog = server.optional("access_log").map(this::accessLog).orElse(AccessLogConfig.DEFAULTS);
    DnsConfig dns = server.optional("dns").map(ServerSectionReader::dns).orElse(DnsConfig.DEFAULTS);
    List<String> stripRequestHeaders =
        server.optional("strip_request_headers").map(ServerSectionReader::strippedHeaders).orElse(List.of());
    ReloadConfig reload = server.optional("reload").map(ServerSectionReader::reload).orElse(ReloadConfig.DEFAULTS);
    TracingConfig tracing = server.optional("tracing").map(ServerSectionReader::tracing).orElse(TracingConfig.DEFAULTS);
    OverloadConfig overload = server.optional("overload").map(ServerSectionReader::overload).orElse(OverloadConfig.DEFAULTS);
    return new ServerConfig(listeners, admin, trustedProxies, limits, http2, eventLoops, transport, drainTimeout, accessLog, dns,
        stripRequestHeaders, reload, tracing, overload);
  }

  private static OverloadConfig overload(YamlNode node) {
    YamlMap overload = node.map(OVERLOAD_KEYS);
    OverloadConfig d = OverloadConfig.DEFAULTS;
    int maxInFlight = overload.optional("max_in_flight")
        .flatMap(n -> n.integer(0, Integer.MAX_VALUE, "0 for no cap, or a number of exchanges in progress"))
        .orElse(d.maxInFlight());
    return new OverloadConfig(maxInFlight,
        overload.optional("heap").map(n -> memoryThresholds(n, d.heap())).orElse(d.heap()),
        overload.optional("direct_memory").map(n -> memoryThresholds(n, d.directMemory())).orElse(d.directMemory()));
  }

  /** Refusing requests while still keeping connections alive would be backwards: refuse is never below stop_keep_alive. */
  private static OverloadConfig.MemoryThresholds memoryThresholds(YamlNode node, OverloadConfig.MemoryThresholds d) {
    YamlMap thresholds = node.map(MEMORY_THRESHOLD_KEYS);
    double stopKeepAlive = thresholds.optional("stop_keep_alive")
        .flatMap(n -> n.as(Percentages.EXPECTED, t -> Percentages.parse(t, false))).orElse(d.stopKeepAlive());
    double refuse = thresholds.optional("refuse")
        .flatMap(n -> n.as(Percentages.EXPECTED, t -> Percentages.parse(t, false))).orElse(d.refuse());
    if (refuse < stopKeepAlive) {
      node.problem("refuse (" + percent(refuse) + ") is below stop_keep_alive (" + percent(stopKeepAlive)
          + "); expected: stop_keep_alive first, then refuse at the same or a higher level");
    }
    return new OverloadConfig.MemoryThresholds(stopKeepAlive, refuse);
  }

  private static String percent(double fraction) {
    return java.math.BigDecimal.valueOf(fraction * 100).stripTrailingZeros().toPlainString() + "%";
  }

  /** {@code true}, {@code false} or {@code { format, path, max_size, max_files }}; a mapping means enabled. */
  private AccessLogConfig accessLog(YamlNode node) {
    if (!node.isMap()) {
      if (node.isList()) {
        node.wrongType("true, false or a mapping with format and path");
        return AccessLogConfig.DEFAULTS;
      }
      return node.bool().map(on -> on ? AccessLogConfig.DEFAULTS : AccessLogConfig.DISABLED).orElse(AccessLogConfig.DEFAULTS);
    }
    YamlMap log = node.map(ACCESS_LOG_KEYS);
    AccessLogConfig d = AccessLogConfig.DEFAULTS;
    AccessLogConfig.Format format = log.optional("format").flatMap(n -> n.oneOf("format", ACCESS_LOG_FORMATS)).orElse(d.format());
    Optional<YamlNode> pathNode = log.optional("path");
    Path file = pathNode.flatMap(this::logFile).orElse(null);
    boolean stdout = pathNode.isEmpty() || pathNode.get().isScalar("stdout");
    Optional<YamlNode> maxSizeNode = log.optional("max_size");
    long maxSize = maxSizeNode.flatMap(n -> n.size(MIN_ROTATED_SIZE, Long.MAX_VALUE)).orElse(0L);
    int maxFiles = log.optional("max_files").flatMap(n -> n.integer(1, 1000, "a number of rotated files, 1..1000"))
        .orElse(d.maxFiles());
    if (maxSizeNode.isPresent() && stdout) {
      maxSizeNode.get().problem("max_size rotates a file, but the access log goes to stdout (expected: path: FILE as well)");
    }
    return new AccessLogConfig(true, format, file, maxSize, maxFiles);
  }

  /** {@code stdout}, or a file whose folder exists (relative to the config file's folder); {@code Optional.empty()} for stdout. */
  private Optional<Path> logFile(YamlNode node) {
    Optional<String> text = node.text("stdout or a file path such as /var/log/sluice/access.log");
    if (text.isEmpty() || text.get().equals("stdout")) {
      return Optional.empty();
    }
    Path file;
    try {
      file = baseDir.resolve(text.get()).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      node.problem(Messages.invalid(text.get(), "stdout or a file path such as /var/log/sluice/access.log"));
      return Optional.empty();
    }
    Path folder = file.getParent();
    if (folder == null || !java.nio.file.Files.isDirectory(folder)) {
      node.problem("the folder of " + Messages.quote(text.get()) + " does not exist (expected: a file in an existing folder)");
      return Optional.empty();
    }
    if (java.nio.file.Files.isDirectory(file)) {
      node.problem(Messages.quote(text.get()) + " is a folder (expected: a file path such as /var/log/sluice/access.log)");
      return Optional.empty();
    }
    return Optional.of(file);
  }

  private static TracingConfig tracing(YamlNode node) {
    YamlMap tracing = node.map(TRACING_KEYS);
    TracingConfig d = TracingConfig.DEFAULTS;
    return new TracingConfig(tracing.optional("propagate").flatMap(YamlNode::bool).orElse(d.propagate()),
        tracing.optional("sampled").flatMap(YamlNode::bool).orElse(d.sampled()));
  }

  private List<ListenerConfig> listeners(YamlNode node) {
    List<YamlNode> items = node.nonEmptyList("listener");
    FirstSeen names = new FirstSeen("listener name");
    List<ListenerConfig> out = new ArrayList<>();
    for (YamlNode item : items) {
      YamlMap listener = item.map(LISTENER_KEYS);
      Optional<String> name = names.requiredName(listener, "name", "a listener name");
      String bind = listener.optional("bind").flatMap(ServerSectionReader::bindAddress).orElse("0.0.0.0");
      Optional<YamlNode> portNode = listener.required("port");
      int port = portNode.flatMap(n -> n.integer(0, 65535, PORT)).orElse(0);
      portNode.ifPresent(n -> claim(n, bind, port, "listener '" + name.orElse("") + "'"));
      TlsConfig tls = listener.optional("tls").map(n -> TlsSectionReader.read(n, baseDir)).orElse(null);
      boolean secure = listener.optional("tls").isPresent();
      List<String> protocols = listener.optional("protocols").map(n -> protocols(n, secure))
          .orElse(secure ? List.of("http1", "h2") : List.of("http1", "h2c"));
      ListenerConfig.UnderscoreHeaders underscores = listener.optional("headers_with_underscores")
          .flatMap(n -> n.oneOf("setting", UNDERSCORE_HEADERS)).orElse(ListenerConfig.UnderscoreHeaders.DROP);
      out.add(new ListenerConfig(name.orElse(""), bind, port, protocols, tls, underscores));
    }
    return out;
  }

  private AdminConfig admin(YamlNode node) {
    YamlMap admin = node.map(ADMIN_KEYS);
    boolean enabled = admin.optional("enabled").flatMap(YamlNode::bool).orElse(ADMIN_DEFAULTS.enabled());
    String bind = admin.optional("bind").flatMap(ServerSectionReader::bindAddress).orElse(ADMIN_DEFAULTS.bind());
    Optional<YamlNode> portNode = admin.optional("port");
    int port = portNode.flatMap(n -> n.integer(0, 65535, PORT)).orElse(ADMIN_DEFAULTS.port());
    Optional<YamlNode> tokenNode = admin.optional("token");
    String token = tokenNode.flatMap(n -> n.text("a bearer token of at least 16 characters")).orElse(null);
    if (token != null && (token.length() < 16 || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
      tokenNode.get().problem("the admin token must be at least 16 visible ASCII characters without spaces "
          + "(expected: a random secret, e.g. from ${ADMIN_TOKEN})");
    }
    AdminConfig config = new AdminConfig(enabled, bind, port, token);
    if (enabled) {
      claim(portNode.orElse(node), bind, port, "the admin listener");
      if (token == null && !config.loopback()) {
        admin.optional("bind").orElse(node).problem("the admin listener may bind to " + bind
            + ", which is not a loopback address, only with a token (expected: bind: 127.0.0.1, or a token: "
            + "every admin request must then carry Authorization: Bearer <token>)");
      }
    }
    return config;
  }

  /** Port 0 is exempt: every bind to it gets a different free port. */
  private void claim(YamlNode at, String bind, int port, String owner) {
    if (port == 0) {
      return;
    }
    String previous = boundBy.putIfAbsent(bind + " " + port, owner);
    if (previous != null) {
      at.problem("port " + port + " on " + bind + " is already used by " + previous);
    }
  }

  private static Optional<String> bindAddress(YamlNode node) {
    String expected = "an IP address such as 0.0.0.0, 127.0.0.1 or ::, or a host name";
    return node.as(expected, text -> {
      if (!HostNames.isHost(text)) {
        throw new IllegalArgumentException(Messages.invalid(text, expected));
      }
      return text;
    });
  }

  /** {@code h2} is negotiated by TLS (ALPN), {@code h2c} is HTTP/2 in clear text: each needs the matching listener. */
  private static List<String> protocols(YamlNode node, boolean secure) {
    return new FirstSeen("protocol").distinctItems(node, "protocol, such as " + PROTOCOL_CHOICES, "a protocol", text -> {
      if (!PROTOCOLS.contains(text)) {
        throw new IllegalArgumentException(Messages.invalid(text, PROTOCOL_CHOICES));
      }
      if (text.equals("h2") && !secure) {
        throw new IllegalArgumentException("'h2' needs a tls: block on this listener (for HTTP/2 without TLS use h2c)");
      }
      if (text.equals("h2c") && secure) {
        throw new IllegalArgumentException("'h2c' is HTTP/2 without TLS, but this listener has a tls: block (use h2)");
      }
      return text;
    });
  }

  private static Http2Config http2(YamlNode node) {
    YamlMap http2 = node.map(HTTP2_KEYS);
    Http2Config d = Http2Config.DEFAULTS;
    return new Http2Config(
        http2.optional("max_concurrent_streams")
            .flatMap(n -> n.integer(1, Integer.MAX_VALUE, "a number of streams, at least 1"))
            .orElse(d.maxConcurrentStreams()),
        http2.optional("initial_window_size").flatMap(n -> n.size(65_535, Integer.MAX_VALUE)).map(Long::intValue)
            .orElse(d.initialWindowBytes()),
        http2.optional("max_frame_size").flatMap(n -> n.size(Http2Config.MIN_FRAME_BYTES, Http2Config.MAX_FRAME_BYTES))
            .map(Long::intValue).orElse(d.maxFrameBytes()),
        http2.optional("max_resets").flatMap(n -> n.integer(1, Integer.MAX_VALUE, "a number of RST_STREAM frames, at least 1"))
            .orElse(d.maxResets()),
        http2.timeout("reset_window", d.resetWindow()),
        http2.optional("max_server_resets")
            .flatMap(n -> n.integer(1, Integer.MAX_VALUE, "a number of RST_STREAM frames, at least 1"))
            .orElse(d.maxServerResets()));
  }

  private static ReloadConfig reload(YamlNode node) {
    YamlMap reload = node.map(RELOAD_KEYS);
    ReloadConfig d = ReloadConfig.DEFAULTS;
    boolean watch = reload.optional("watch").flatMap(YamlNode::bool).orElse(d.watch());
    Duration debounce = reload.optional("debounce").flatMap(n -> n.duration(false)).orElse(d.debounce());
    return new ReloadConfig(watch, debounce);
  }

  private static DnsConfig dns(YamlNode node) {
    YamlMap dns = node.map(DNS_KEYS);
    DnsConfig d = DnsConfig.DEFAULTS;
    List<InetSocketAddress> nameServers = new ArrayList<>();
    dns.optional("name_servers").ifPresent(list -> {
      FirstSeen seen = new FirstSeen("name server");
      for (YamlNode item : list.list()) { // empty: the system's name servers
        item.as(NAME_SERVER, ServerSectionReader::nameServer).ifPresent(address -> {
          seen.add(item, address.getHostString() + " " + address.getPort());
          nameServers.add(address);
        });
      }
    });
    Duration minTtl = dns.optional("min_ttl").flatMap(n -> n.duration(true)).orElse(d.minTtl());
    Optional<YamlNode> maxNode = dns.optional("max_ttl");
    Duration maxTtl = maxNode.flatMap(n -> n.duration(false)).orElse(d.maxTtl());
    if (maxTtl.compareTo(minTtl) < 0) {
      maxNode.orElse(node).problem("max_ttl is shorter than min_ttl (expected: max_ttl >= min_ttl)");
    }
    Duration negativeTtl = dns.optional("negative_ttl").flatMap(n -> n.duration(true)).orElse(d.negativeTtl());
    return new DnsConfig(nameServers, minTtl, maxTtl, negativeTtl, dns.timeout("query_timeout", d.queryTimeout()));
  }

  /** {@code 10.0.0.2}, {@code 10.0.0.2:5353}, {@code ::1} or {@code [::1]:5353}: an address, as a name server needs no lookup. */
  private static InetSocketAddress nameServer(String text) {
    String host = text;
    String port = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 < text.length() && text.charAt(close + 1) != ':') {
        throw new IllegalArgumentException(Messages.invalid(text, NAME_SERVER));
      }
      host = text.substring(1, close);
      port = close + 1 < text.length() ? text.substring(close + 2) : null;
    } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
      host = text.substring(0, text.indexOf(':'));
      port = text.substring(text.indexOf(':') + 1);
    }
    if (!HostNames.isIpLiteral(host)) {
      throw new IllegalArgumentException(Messages.invalid(text, NAME_SERVER));
    }
    int number = 53;
    if (port != null) {
      boolean digits = !port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9');
      number = digits ? Integer.parseInt(port) : 0;
      if (number < 1 || number > 65535) {
        throw new IllegalArgumentException(Messages.quote(text) + " has an invalid port " + Messages.quote(port)
            + " (expected: 1..65535)");
      }
    }
    return new InetSocketAddress(io.netty.util.NetUtil.createInetAddressFromIpAddressString(host), number);
  }

  private static List<Cidr> cidrs(YamlNode node) {
    List<Cidr> out = new ArrayList<>();
    for (YamlNode item : node.list()) {
      item.as("an IP address or CIDR", Cidr::parse).ifPresent(out::add);
    }
    return out;
  }

  private static LimitsConfig limits(YamlNode node) {
    YamlMap limits = node.map(LIMIT_KEYS);
    LimitsConfig d = LimitsConfig.DEFAULTS;
    int requestLine = intSize(limits, "max_request_line_bytes", d.maxRequestLineBytes());
    return new LimitsConfig(
        requestLine,
        intSize(limits, "max_header_bytes", d.maxHeaderBytes()),
        limits.optional("max_header_count")
            .flatMap(n -> n.integer(1, Integer.MAX_VALUE, "a number of header fields, at least 1"))
            .orElse(d.maxHeaderCount()),
        intSize(limits, "max_header_field_bytes", d.maxHeaderFieldBytes()),
        chunkLine(limits, requestLine),
        limits.optional("max_body_bytes").flatMap(n -> n.size(0, Long.MAX_VALUE)).orElse(d.maxBodyBytes()),
        limits.timeout("request_header_timeout", d.requestHeaderTimeout()),
        limits.timeout("request_body_timeout", d.requestBodyTimeout()),
        limits.optional("min_request_body_rate").flatMap(n -> n.size(0, Long.MAX_VALUE)).orElse(d.minRequestBodyRate()),
        limits.timeout("keep_alive_timeout", d.keepAliveTimeout()),
        limits.timeout("write_timeout", d.writeTimeout()));
  }

  /**
   * {@code max_chunk_line_bytes}, {@code max_request_line_bytes} unless set. Netty's HTTP/1.1 decoder
   * reads request lines and chunk-size lines with one bounded line reader; it gets this limit, and
   * the request line is checked against its own afterwards. A chunk limit below the request-line
   * limit could therefore not be enforced, and is refused rather than silently not applied.
   */
  private static int chunkLine(YamlMap limits, int requestLine) {
    return limits.optional("max_chunk_line_bytes").flatMap(n -> n.as(Sizes.EXPECTED, text -> {
      long size = Sizes.parse(text);
      if (size < requestLine) {
        throw new IllegalArgumentException(Messages.invalid(text, "at least max_request_line_bytes, " + requestLine
            + " bytes: request lines and chunk lines are read by one line reader, so a lower limit cannot apply"));
      }
      if (size > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(Messages.invalid(text, "a size of at most " + Integer.MAX_VALUE + " bytes"));
      }
      return (int) size;
    })).orElse(requestLine);
  }

  /**
   * {@code strip_request_headers}: header names, lower-cased. Framing and connection headers are
   * the gateway's own business, and the request id has its own rule (see {@code trusted_proxies}).
   */
  private static List<String> strippedHeaders(YamlNode node) {
    FirstSeen seen = new FirstSeen("header");
    List<String> out = new ArrayList<>();
    for (YamlNode item : node.list()) {
      item.text("a header name").flatMap(raw -> HeaderOpsReader.headerName(raw, item)).ifPresent(name -> {
        seen.add(item, name);
        if (HttpSyntax.MANAGED_HEADERS.contains(name) || name.equals("x-request-id")) {
          item.problem("header " + Messages.quote(name) + " cannot be stripped (the gateway "
              + (name.equals("x-request-id") ? "sets the request id itself; it takes a client's only from trusted_proxies)"
                  : "handles connection and framing headers itself)"));
        } else if (!out.contains(name)) {
          out.add(name);
        }
      });
    }
    return out;
  }

  private static int intSize(YamlMap map, String key, int fallback) {
    return map.optional(key).flatMap(n -> n.size(1, Integer.MAX_VALUE)).map(Long::intValue).orElse(fallback);
  }
}
