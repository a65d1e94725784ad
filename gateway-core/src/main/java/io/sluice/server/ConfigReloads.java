package io.sluice.server;

import io.micrometer.core.instrument.Counter;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.ConfigProblem;
import io.sluice.config.GatewayConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.config.PluginCatalog;
import io.sluice.config.ReloadConfig;
import io.sluice.config.SniCertificate;
import io.sluice.config.TlsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reloads a running gateway's config file: reads and validates it with the same code as
 * {@code sluice validate} ({@link ConfigLoader} against the installed plugins), then hands it to
 * {@link GatewayServer#reload}. Reloads run one at a time on a thread of their own, never on an
 * event loop, whoever asks (SIGHUP, the admin API). A failed reload changes nothing: the running
 * config keeps serving, and every problem is logged with its file:line:column, counted
 * ({@code sluice.config.reloads{result=failure}}) and kept for the admin API. With
 * {@code server.reload.watch}, changes to the file reload it too (see {@link ConfigWatcher}), and so do
 * changes to the TLS certificate and key files the running config names: rotated certificates are
 * served to new connections without a signal.
 */
public final class ConfigReloads implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ConfigReloads.class.getName());

  /** The config that is running: which file, its version (a hash of its text) and when it was loaded. */
  public record Running(String file, String version, Instant loadedAt) {}

  /**
   * What a reload did.
   *
   * @param success whether the new config is running
   * @param trigger who asked ({@code SIGHUP}, {@code admin})
   * @param at when it finished
   * @param version the version of the file that was read; {@code null} when it could not be read
   * @param problems every problem, as {@code file:line:column path: message}; empty on success
   * @param restartOnly changed settings that take effect only on restart (success only)
   */
  public record Result(boolean success, String trigger, Instant at, String version, List<String> problems,
      List<String> restartOnly) {}

  private final GatewayServer server;
  private final Path file;
  private final PluginCatalog catalog;
  private final Counter successes;
  private final Counter failures;
  private final java.util.function.Consumer<GatewayConfig> afterReload;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(
      Thread.ofPlatform().daemon().name("sluice-reload").factory());
  private volatile Running running;
  private volatile Result last;
  /** Changed on the reload thread only. */
  private ReloadConfig watching = new ReloadConfig(false, ReloadConfig.DEFAULTS.debounce());
  private volatile ConfigWatcher watcher;
  /**
   * What the last reload attempt (or the start) saw: the file's version and a hash of the TLS files the running
   * config names. The watcher reloads only when this changes. Reload thread only, after construction.
   */
  private String lastSeen;
  /** How many times the watcher had the file read; a test reads it to know a touch was seen and ignored. */
  private final AtomicLong filesChecked = new AtomicLong();

  /**
   * @param file the file {@code server} was started from
   * @param catalog the installed plugins, which new configs are bound against (plugin jars are not reloaded)
   */
  public ConfigReloads(GatewayServer server, Path file, PluginCatalog catalog) {
    this(server, file, catalog, config -> { });
  }

  /**
   * @param afterReload applies what of a reloaded config is the process's rather than the server's (the
   *     {@code logging:} section); called on the reload thread after the server took the config
   */
  public ConfigReloads(GatewayServer server, Path file, PluginCatalog catalog,
      java.util.function.Consumer<GatewayConfig> afterReload) {
    this.afterReload = afterReload;
    this.server = server;
    this.file = file;
    this.catalog = catalog;
    this.successes = reloadCounter(server, "success");
    this.failures = reloadCounter(server, "failure");
    String version;
    try {
      version = version(Files.readString(file));
    } catch (IOException e) {
      version = "unknown";
    }
    this.running = new Running(file.toString(), version, Instant.now());
    this.lastSeen = version + '/' + tlsFilesHash(server.snapshot().config());
  }

  /** Every certificate, key and CA file the listeners of {@code config} read. */
  static List<Path> tlsFiles(GatewayConfig config) {
    List<Path> files = new ArrayList<>();
    for (ListenerConfig listener : config.server().listeners()) {
      TlsConfig tls = listener.tls();
      if (tls == null) {
        continue;
      }
      files.add(tls.cert());
      files.add(tls.key());
      if (tls.clientCa() != null) {
        files.add(tls.clientCa());
      }
      for (SniCertificate sni : tls.sni()) {
        files.add(sni.cert());
        files.add(sni.key());
      }
    }
    return files;
  }

  /** A hash of the contents of {@link #tlsFiles}: a rotated certificate changes it, a touched one does not. */
  static String tlsFilesHash(GatewayConfig config) {
    StringBuilder all = new StringBuilder();
    for (Path tlsFile : tlsFiles(config)) {
      try {
        all.append(tlsFile).append('\n').append(Files.readString(tlsFile, StandardCharsets.ISO_8859_1)).append('\n');
      } catch (IOException e) {
        all.append(tlsFile).append(" unreadable\n");
      }
    }
    return version(all.toString());
  }

  /** The config file and the TLS files of the config running now: what the watcher follows. */
  private List<Path> watchedFiles() {
    List<Path> files = new ArrayList<>();
    files.add(file);
    files.addAll(tlsFiles(server.snapshot().config()));
    return files;
  }

  private static Counter reloadCounter(GatewayServer server, String result) {
    return Counter.builder("sluice.config.reloads").description("Config reloads, by result")
        .tag("result", result).register(server.meters());
  }

  /** Reloads on the reload thread; the future completes with the result, never exceptionally. */
  public CompletableFuture<Result> reload(String trigger) {
    return CompletableFuture.supplyAsync(() -> reloadNow(trigger, false), thread);
  }

  /**
   * Watches the file for changes, or stops watching it, as {@code settings} say; applied again
   * after every successful reload with the new config's settings.
   */
  public CompletableFuture<Void> watch(ReloadConfig settings) {
    return CompletableFuture.runAsync(() -> follow(settings), thread);
  }

  private void follow(ReloadConfig settings) {
    if (settings.equals(watching) && (watcher != null) == settings.watch()) {
      return;
    }
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
    watching = settings;
    if (settings.watch()) {
      try {
        watcher = new ConfigWatcher(this::watchedFiles, settings.debounce(), () -> thread.execute(() -> {
          reloadNow("watch", true);
          filesChecked.incrementAndGet();
        }));
        LOG.log(System.Logger.Level.INFO, "watching {0} for changes", file);
      } catch (IOException | RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "cannot watch {0} ({1}); reload with SIGHUP instead", file, e.getMessage());
      }
    }
  }

  /**
   * @param onlyIfChanged skip when neither the file's text nor the running config's TLS files changed since the last
   *     attempt (the watcher calls on touches and rewrites too, and must not repeat a failure it already reported)
   */
  private Result reloadNow(String trigger, boolean onlyIfChanged) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return onlyIfChanged && last != null && !last.success() && last.version() == null
          ? last : failed(trigger, null, List.of(file + ": no such file"));
    } catch (IOException e) {
      return failed(trigger, null, List.of(file + ": cannot read: " + e.getMessage()));
    }
    String version = version(text);
    String seen = version + '/' + tlsFilesHash(server.snapshot().config());
    if (onlyIfChanged && seen.equals(lastSeen)) {
      return last;
    }
    lastSeen = seen;
    try {
      GatewayConfig config = ConfigLoader.parse(text, file.toString(), System::getenv, catalog);
      List<String> restartOnly = server.reload(config);
      lastSeen = version + '/' + tlsFilesHash(config);
      follow(config.server().reload());
      afterReload.accept(config);
      Instant now = Instant.now();
      running = new Running(file.toString(), version, now);
      Result result = new Result(true, trigger, now, version, List.of(), restartOnly);
      last = result;
      successes.increment();
      LOG.log(System.Logger.Level.INFO, "config reloaded from {0} (version {1}, {2})", file, version, trigger);
      if (!restartOnly.isEmpty()) {
        LOG.log(System.Logger.Level.WARNING, "changed settings that take effect only on restart: {0}",
            String.join(", ", restartOnly));
      }
      return result;
    } catch (ConfigException e) {
      return failed(trigger, version, e.problems().stream().map(ConfigProblem::toString).toList());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(trigger, version, List.of("interrupted"));
    } catch (RuntimeException e) {
      return failed(trigger, version, List.of(file + ": " + e.getMessage()));
    }
  }

  private Result failed(String trigger, String version, List<String> problems) {
    Result result = new Result(false, trigger, Instant.now(), version, List.copyOf(problems), List.of());
    last = result;
    failures.increment();
    LOG.log(System.Logger.Level.ERROR, "config reload from {0} failed ({1}); still running version {2}:\n  {3}",
        file, trigger, running.version(), String.join("\n  ", problems));
    return result;
  }

  /** How many times a change the watcher saw was checked (reloaded or found unchanged). */
  long filesChecked() {
    return filesChecked.get();
  }

  /** The config that is running. */
  public Running running() {
    return running;
  }

  /** The last reload's result, or {@code null} before the first. */
  public Result last() {
    return last;
  }

  /** The first 16 hex digits of the SHA-256 of a config's text. */
  static String version(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    ConfigWatcher running = watcher;
    if (running != null) {
      running.close();
    }
    thread.shutdownNow();
  }
}
