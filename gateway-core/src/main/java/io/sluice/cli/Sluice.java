package io.sluice.cli;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.logging.GatewayLogging;
import io.sluice.plugin.PluginChains;
import io.sluice.plugin.PluginDirs;
import io.sluice.plugin.PluginRegistry;
import io.sluice.proxy.AccessLog;
import io.sluice.admin.AdminServer;
import io.sluice.server.ConfigReloads;
import io.sluice.server.GatewayServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/** The {@code sluice} command. */
public final class Sluice {

  static final int OK = 0;
  static final int INVALID = 1;
  static final int USAGE = 2;

  private static final String HELP = """
      Usage: sluice <command> [options]

      Commands:
        run --config FILE            run the gateway on FILE until SIGTERM (then drain and exit 0);
                                     SIGHUP reloads FILE
        validate FILE...             check config files; prints every problem, exit 1 if any
        routes FILE                  print the compiled route table in priority order
        explain FILE METHOD URL [-H 'Name: value']...
                                     show which route a request would match, and why
        demo [--config FILE]         run the gateway on the quickstart config with a built-in
                                     demo upstream on 127.0.0.1:8081
        train [--requests N]         send sample traffic through an in-process gateway and exit;
                                     bin/sluice train records an AOT cache with it (Java 25+), which
                                     makes later runs start warm
        --version                    print the version
        --help                       print this help

      Docs: docs/operations.md, docs/configuration.md, docs/routing.md
      """;

  private final PrintStream out;
  private final PrintStream err;

  Sluice(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    configureLogging();
    System.exit(new Sluice(System.out, System.err).execute(args));
  }

  /** Runs one command; returns the exit code. Serving commands return when the gateway has stopped. */
  int execute(String[] args) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      out.print(HELP);
      return args.length == 0 ? USAGE : OK;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    try {
      return switch (args[0]) {
        case "--version", "version" -> {
          out.println("sluice " + version());
          yield OK;
        }
        case "validate" -> validate(rest);
        case "routes" -> routes(rest);
        case "explain" -> Explain.run(rest, out, err);
        case "run" -> run(rest);
        case "demo" -> demo(rest);
        case "train" -> train(rest);
        default -> usage("unknown command '" + args[0] + "'");
      };
    } catch (UsageException e) {
      return usage(e.getMessage());
    }
  }

  private int train(List<String> args) {
    try {
      return Training.run(args, out, err);
    } catch (UsageException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return INVALID;
    } catch (Exception e) {
      err.println("training failed: " + e);
      return INVALID;
    }
  }

  private int validate(List<String> files) {
    if (files.isEmpty()) {
      throw new UsageException("validate needs at least one FILE");
    }
    int code = OK;
    for (String file : files) {
      try {
        load(file);
        out.println(file + ": OK");
      } catch (InvalidConfig e) {
        code = INVALID;
      }
    }
    return code;
  }

  private int routes(List<String> args) {
    if (args.size() != 1) {
      throw new UsageException("routes needs exactly one FILE");
    }
    try {
      Loaded loaded = load(args.get(0));
      PluginChains chains = PluginChains.compileForValidation(loaded.config(), loaded.registry());
      try {
        out.print(RouteListing.render(loaded.config(), chains));
      } finally {
        chains.close();
      }
      return OK;
    } catch (InvalidConfig e) {
      return INVALID;
    } catch (ConfigException e) {
      e.problems().forEach(err::println);
      return INVALID;
    }
  }

  private int run(List<String> args) {
    if (args.size() != 2 || !args.get(0).equals("--config")) {
      throw new UsageException("run needs --config FILE");
    }
    try {
      return serve(load(args.get(1)), args.get(1), null);
    } catch (InvalidConfig e) {
      return INVALID;
    }
  }

  private int demo(List<String> args) {
    String file;
    if (args.isEmpty()) {
      String home = System.getProperty("sluice.home");
      file = home != null ? Path.of(home, "conf", "sluice.yaml").toString() : "config-examples/quickstart.yaml";
    } else if (args.size() == 2 && args.get(0).equals("--config")) {
      file = args.get(1);
    } else {
      throw new UsageException("demo takes no arguments, or --config FILE");
    }
    Loaded config;
    try {
      config = load(file);
    } catch (InvalidConfig e) {
      return INVALID;
    }
    try (DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 8081)) {
      out.println("demo upstream listening on 127.0.0.1:" + upstream.port());
      return serve(config, file, upstream);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return INVALID;
    } catch (RuntimeException e) {
      err.println("could not start the demo upstream on 127.0.0.1:8081: " + e.getMessage());
      return INVALID;
    }
  }

  private int serve(Loaded loaded, String file, DemoUpstream demo) {
    GatewayConfig config = loaded.config();
    GatewayLogging logging = new GatewayLogging(System.err);
    logging.apply(config.logging());
    AccessLog accessLog;
    try {
      accessLog = AccessLog.open(config.server().accessLog());
    } catch (IOException e) {
      err.println("could not start: the access log " + config.server().accessLog().file() + " cannot be opened: " + e);
      return INVALID;
    }
    GatewayServer server;
    try {
      server = GatewayServer.start(config, loaded.registry(), accessLog);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return INVALID;
    } catch (ConfigException e) {
      e.problems().forEach(err::println);
      accessLog.close();
      return INVALID;
    } catch (RuntimeException | javax.net.ssl.SSLException e) {
      err.println("could not start: " + e.getMessage());
      accessLog.close();
      return INVALID;
    }
    out.println("sluice " + version() + " running " + file);
    for (GatewayServer.BoundListener listener : server.listeners()) {
      out.println("  listener '" + listener.name() + "' on " + listener.scheme() + "://" + listener.address().getHostString() + ":"
          + listener.address().getPort());
    }
    if (demo != null) {
      int port = server.listeners().get(0).address().getPort();
      out.println();
      out.println("Try:");
      out.println("  curl -i http://127.0.0.1:" + port + "/healthz");
      out.println("  curl -i http://127.0.0.1:" + port + "/api/hello?name=sluice");
      out.println("  curl -i http://127.0.0.1:" + port + "/nowhere");
      out.println("Stop with Ctrl-C.");
    }
    // SIGTERM and SIGINT start a drain; the process then exits 0 (not 143) once it is done.
    CountDownLatch stopRequested = new CountDownLatch(1);
    for (String signal : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stopRequested.countDown());
    }
    // SIGHUP reloads the config file (instead of the JVM's default: exit 129 with requests dropped).
    ConfigReloads reloads = new ConfigReloads(server, Path.of(file), loaded.registry().catalog(),
        reloaded -> logging.apply(reloaded.logging()));
    sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> reloads.reload("SIGHUP"));
    reloads.watch(config.server().reload());
    // SIGUSR1 reopens the access log file, after logrotate renamed it (instead of the JVM's default: exit 138).
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("USR1"), s -> accessLog.reopen());
    } catch (IllegalArgumentException e) {
      err.println("SIGUSR1 cannot be handled on this platform (" + e.getMessage() + "): the access log is not reopened on it");
    }
    AdminServer admin = null;
    if (config.server().admin().enabled()) {
      try {
        admin = AdminServer.start(config.server().admin(), server, reloads);
        out.println("  admin listener on http://" + config.server().admin().bind() + ":" + admin.port());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        err.println("could not start: " + e.getMessage());
        reloads.close();
        server.drainAndStop(java.time.Duration.ZERO);
        accessLog.close();
        return INVALID;
      }
    }
    try {
      stopRequested.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    err.println("stopping: draining in-flight requests for up to " + config.server().drainTimeout().toMillis() + "ms");
    reloads.close();
    server.drainAndStop(config.server().drainTimeout());
    if (admin != null) {
      admin.close(); // last: /ready says 503 while the drain runs
    }
    accessLog.close();
    err.println("stopped");
    return OK;
  }

  /** A config with the plugins it was bound against. */
  record Loaded(GatewayConfig config, PluginRegistry registry) {}

  /**
   * Loads and validates a config, with the plugins of the distribution's {@code plugins/} folder
   * and of the config's {@code plugin_dirs}, and creates every plugin instance once to check it;
   * prints every problem on failure.
   */
  Loaded load(String file) {
    Path path = Path.of(file);
    List<Path> dirs = new java.util.ArrayList<>(PluginDirs.distribution());
    dirs.addAll(PluginDirs.declaredIn(path));
    PluginRegistry registry = PluginRegistry.discover(dirs);
    if (!registry.problems().isEmpty()) {
      registry.problems().forEach(err::println);
      err.println(file + ": " + registry.problems().size() + " plugin jar problem" + (registry.problems().size() == 1 ? "" : "s"));
      throw new InvalidConfig();
    }
    try {
      GatewayConfig config = ConfigLoader.load(path, registry.catalog());
      PluginChains.compileForValidation(config, registry).close();
      return new Loaded(config, registry);
    } catch (ConfigException e) {
      e.problems().forEach(err::println);
      err.println(file + ": " + e.problems().size() + (e.problems().size() == 1 ? " problem" : " problems"));
      throw new InvalidConfig();
    } catch (NoSuchFileException e) {
      err.println(file + ": no such file");
      throw new InvalidConfig();
    } catch (IOException e) {
      err.println(file + ": cannot read: " + e.getMessage());
      throw new InvalidConfig();
    }
  }

  private int usage(String problem) {
    err.println("sluice: " + problem);
    err.println("Run 'sluice --help' for usage.");
    return USAGE;
  }

  static String version() {
    try (InputStream in = Sluice.class.getResourceAsStream("/io/sluice/version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }

  private static void configureLogging() {
    if (System.getProperty("java.util.logging.config.file") == null
        && System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    }
  }

  /** A mistake in how the command was called. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message, null, false, false);
    }
  }

  /** The config had problems, already printed. */
  static final class InvalidConfig extends RuntimeException {
    InvalidConfig() {
      super(null, null, false, false);
    }
  }

}
