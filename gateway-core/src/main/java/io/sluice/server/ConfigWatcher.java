package io.sluice.server;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Calls back when a config file, or another file the config reads (TLS certificates and keys),
 * may have changed, on a thread of its own.
 *
 * <p>A file is replaced in several ways, and watching its folder for its name sees only some of
 * them: editors write a temporary file and rename it over the original; a Kubernetes ConfigMap
 * mount makes {@code sluice.yaml} a symlink to {@code ..data/sluice.yaml}, where {@code ..data} is
 * itself a symlink the kubelet swaps atomically to a new timestamped folder. So the watcher follows
 * the path: for the file and for every symlink met while resolving it (the file, a symlinked folder
 * on the way, their targets), it watches the containing folder for that one name. After every
 * change it resolves the path again, since the links may now lead elsewhere.
 *
 * <p>Events are debounced: the callback runs once the watched names have been quiet for the
 * debounce interval. It may also run when nothing changed (a touched file, an unrelated rename
 * of the same name); the caller compares contents.
 */
final class ConfigWatcher implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ConfigWatcher.class.getName());
  private static final int MAX_LINKS = 40;

  /** The files to follow, asked again after every change: a reload may name other certificate files. */
  private final Supplier<? extends Collection<Path>> files;
  private final long debounceNanos;
  private final Runnable onChange;
  private final WatchService service;
  private final Thread thread;
  /** The names that matter in each watched folder (folders reached by several paths share a key). Watch thread only. */
  private Map<WatchKey, Set<String>> namesByKey = Map.of();
  private volatile boolean closed;

  /**
   * Starts watching {@code file}.
   *
   * @param debounce how long the watched names must stay quiet before {@code onChange} runs
   * @param onChange runs on the watch thread; must not throw
   */
  ConfigWatcher(Path file, Duration debounce, Runnable onChange) throws IOException {
    this(() -> List.of(file), debounce, onChange);
  }

  /**
   * Starts watching the files {@code files} names, asking it again after every change.
   *
   * @param debounce how long the watched names must stay quiet before {@code onChange} runs
   * @param onChange runs on the watch thread; must not throw
   */
  ConfigWatcher(Supplier<? extends Collection<Path>> files, Duration debounce, Runnable onChange) throws IOException {
    this.files = files;
    this.debounceNanos = debounce.toNanos();
    this.onChange = onChange;
    this.service = FileSystems.getDefault().newWatchService();
    rewatch();
    this.thread = Thread.ofPlatform().daemon().name("sluice-config-watch").start(this::run);
  }

  private void run() {
    try {
      while (!closed) {
        if (!relevant(service.take())) {
          continue;
        }
        long quietUntil = System.nanoTime() + debounceNanos;
        for (long left = debounceNanos; left > 0; left = quietUntil - System.nanoTime()) {
          WatchKey more = service.poll(left, TimeUnit.NANOSECONDS);
          if (more != null && relevant(more)) {
            quietUntil = System.nanoTime() + debounceNanos;
          }
        }
        rewatch();
        onChange.run();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "watching " + files.get() + " stopped; reload with SIGHUP", e);
    }
  }

  /** Whether the key's events touch a watched name; resets the key either way. */
  private boolean relevant(WatchKey key) {
    boolean relevant = false;
    Set<String> names = namesByKey.getOrDefault(key, Set.of());
    for (WatchEvent<?> event : key.pollEvents()) {
      if (event.kind() == StandardWatchEventKinds.OVERFLOW
          || event.context() instanceof Path name && names.contains(name.toString())) {
        relevant = true;
      }
    }
    if (!key.reset()) {
      relevant = true; // the folder went away: resolve the path again
    }
    return relevant;
  }

  /**
   * Resolves the path again and watches exactly the folders it now goes through. Every folder is
   * registered again each time: a folder reached through a link that was swapped is another folder
   * now, and registering one already watched returns its key.
   */
  private void rewatch() {
    Map<Path, Set<String>> wanted = new LinkedHashMap<>();
    for (Path file : files.get()) {
      foldersAndNames(file).forEach((folder, names) -> wanted.computeIfAbsent(folder, f -> new HashSet<>()).addAll(names));
    }
    Map<WatchKey, Set<String>> next = new HashMap<>();
    wanted.forEach((folder, names) -> {
      try {
        WatchKey key = folder.register(service, StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
        next.computeIfAbsent(key, k -> new HashSet<>()).addAll(names);
      } catch (IOException e) {
        // a folder that does not exist (yet): its parent is watched for it, see foldersAndNames
        LOG.log(System.Logger.Level.DEBUG, "cannot watch {0}: {1}", folder, e.getMessage());
      }
    });
    namesByKey.keySet().stream().filter(key -> !next.containsKey(key)).forEach(WatchKey::cancel);
    namesByKey = next;
  }

  /**
   * The folders to watch and the names in each: the file in its folder, and every symlink met while
   * resolving the path, in its folder. A folder that does not exist is watched from its parent.
   */
  static Map<Path, Set<String>> foldersAndNames(Path file) {
    Map<Path, Set<String>> out = new LinkedHashMap<>();
    Deque<Path> paths = new ArrayDeque<>();
    paths.add(file.toAbsolutePath().normalize());
    Set<Path> seen = new HashSet<>();
    while (!paths.isEmpty() && seen.size() < MAX_LINKS) {
      Path path = paths.poll();
      if (!seen.add(path) || path.getParent() == null) {
        continue;
      }
      Path folder = path.getParent();
      out.computeIfAbsent(folder, f -> new HashSet<>()).add(path.getFileName().toString());
      if (!Files.isDirectory(folder)) {
        paths.add(folder);
      }
      // symlinked folders on the way (a ConfigMap's ..data) and the file itself, if it is a link
      for (Path prefix = path; prefix.getParent() != null; prefix = prefix.getParent()) {
        if (Files.isSymbolicLink(prefix)) {
          paths.add(prefix);
          try {
            Path target = prefix.getParent().resolve(Files.readSymbolicLink(prefix)).normalize();
            paths.add(target.resolve(prefix.relativize(path)).normalize());
          } catch (IOException e) {
            // the link changed under us; the next event resolves it again
          }
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
    try {
      service.close();
    } catch (IOException e) {
      // nothing to do
    }
    thread.interrupt();
  }
}
