package io.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port, without persistence, for the tests of plugins
 * that keep state in Redis. It can be killed and started again on the same port (empty, as after a crash without
 * persistence). CI installs the Debian package; without it the tests fail and say so.
 */
public final class RedisServer implements AutoCloseable {

  private static final Path BINARY = Path.of(System.getenv().getOrDefault("REDIS_SERVER", "/usr/bin/redis-server"));

  private final int port;
  /** What kind of server this is. */
  private final Kind kind;
  /** A cluster node's or a sentinel's working directory (nodes.conf, sentinel.conf), or {@code null}. */
  private final Path dir;
  /** For a sentinel: the port of the master it watches. */
  private final int masterPort;
  private Process process;

  private enum Kind { STANDALONE, CLUSTER, SENTINEL }

  private RedisServer(int port, Kind kind, Path dir, int masterPort) {
    this.port = port;
    this.kind = kind;
    this.dir = dir;
    this.masterPort = masterPort;
  }

  public static RedisServer start() throws Exception {
    return start(Kind.STANDALONE, 0);
  }

  /** A Redis Cluster of one node that serves every slot: enough to run the cluster client and its routing. */
  public static RedisServer startCluster() throws Exception {
    RedisServer server = start(Kind.CLUSTER, 0);
    String added = server.command("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
    if (!"+OK".equals(added)) {
      throw new AssertionError("CLUSTER ADDSLOTSRANGE answered " + added);
    }
    Poll.until("the one-node cluster serves its slots", () -> "+OK".equals(server.command("SET", "probe", "1")));
    return server;
  }

  /** A Sentinel that watches {@code master} under the name {@code mymaster}. */
  public static RedisServer startSentinel(RedisServer master) throws Exception {
    return start(Kind.SENTINEL, master.port);
  }

  private static RedisServer start(Kind kind, int masterPort) throws Exception {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError(BINARY + " is missing: tests that use Redis need a real redis-server"
          + " (apt-get install redis-server; .ci/run installs it), or REDIS_SERVER=/path/to/redis-server");
    }
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Path dir = kind == Kind.STANDALONE ? null : Files.createTempDirectory("redis-" + kind.name().toLowerCase(java.util.Locale.ROOT));
    RedisServer server = new RedisServer(port, kind, dir, masterPort);
    server.startAgain();
    return server;
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server (again) on its port, and returns once it answers PING. */
  public void startAgain() throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(BINARY.toString()));
    if (kind == Kind.SENTINEL) {
      // a sentinel needs a config file it may rewrite
      Path config = dir.resolve("sentinel.conf");
      Files.writeString(config, "sentinel monitor mymaster 127.0.0.1 " + masterPort + " 1\n");
      command.addAll(List.of(config.toString(), "--sentinel"));
    }
    command.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"));
    if (kind == Kind.CLUSTER) {
      command.addAll(List.of("--cluster-enabled", "yes", "--dir", dir.toString(), "--cluster-config-file", "nodes.conf",
          "--cluster-announce-ip", "127.0.0.1"));
    }
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    Poll.until("redis-server answers PING on port " + port, () -> process.isAlive() && "+PONG".equals(command("PING")),
        () -> process.isAlive() ? "(running)" : "(exited with " + process.exitValue() + ")");
  }

  /** Kills the server at once, as a crash would. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * Sends one command and returns the first line of the answer (a bulk string's value), or
   * {@code null} when the server does not answer.
   */
  public String command(String... words) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      socket.setSoTimeout(2000);
      StringBuilder out = new StringBuilder("*" + words.length + "\r\n");
      for (String word : words) {
        out.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word).append("\r\n");
      }
      OutputStream output = socket.getOutputStream();
      output.write(out.toString().getBytes(StandardCharsets.UTF_8));
      output.flush();
      InputStream input = socket.getInputStream();
      String line = line(input);
      // a bulk string: its value is on the next line
      return line.startsWith("$") && !line.equals("$-1") ? line(input) : line;
    } catch (IOException e) {
      return null;
    }
  }

  private static String line(InputStream input) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = input.read()) >= 0 && c != '\r') {
      line.append((char) c);
    }
    input.read(); // the '\n'
    return line.toString();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      kill();
    }
    if (dir != null) {
      try (var files = Files.list(dir)) {
        for (Path file : files.toList()) {
          Files.deleteIfExists(file);
        }
      } catch (IOException e) {
        // a leftover temporary file is harmless
      }
      try {
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        // as above
      }
    }
  }

  public static Duration elapsedSince(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
