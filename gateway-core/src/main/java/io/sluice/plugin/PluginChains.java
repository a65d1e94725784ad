package io.sluice.plugin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigProblem;
import io.sluice.config.GatewayConfig;
import io.sluice.config.HttpSyntax;
import io.sluice.config.PluginUse;
import io.sluice.config.RouteAction;
import io.sluice.config.RouteConfig;
import io.sluice.metrics.PluginMeters;
import io.sluice.metrics.PluginRejections;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;
import io.sluice.spi.RedisSettings;
import io.sluice.spi.Ticker;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * Compiles the plugin chain of every route of a config: the global entries merged under the
 * route's own (a route entry for the same plugin replaces the global one's config, or only
 * switches it off or to shadow mode), ordered by phase, then priority (higher first), then
 * position (global entries before the route's), with an instance created per route. Also
 * gathers the identity headers every configured plugin entry declares
 * ({@link PluginFactory#identityHeaders}), which no client may send.
 */
public final class PluginChains {

  private final Map<String, PluginChain> byRoute;
  private final List<String> identityHeaders;
  private final Set<String> credentialQueryParameters;

  private PluginChains(Map<String, PluginChain> byRoute, List<String> identityHeaders, Set<String> credentialQueryParameters) {
    this.byRoute = byRoute;
    this.identityHeaders = identityHeaders;
    this.credentialQueryParameters = credentialQueryParameters;
  }

  /** Chains for a config without any plugins. */
  public static PluginChains none() {
    return new PluginChains(Map.of(), List.of(), Set.of());
  }

  /**
   * Builds every route's chain. A factory whose {@code create} throws is reported like a config
   * mistake, at the entry that asked for the plugin; instances created before are closed.
   */
  public static PluginChains compile(GatewayConfig config, PluginRegistry registry, MeterRegistry meters, Ticker ticker)
      throws ConfigException {
    return compile(config, registry, meters, ticker, false, null);
  }

  /**
   * Builds every route's chain for a config that replaces {@code previous}: an entry whose plugin
   * config is equal to that of the same plugin on the same route in {@code previous} is created
   * with the old instance as {@link PluginContext#previous()}.
   */
  public static PluginChains compile(GatewayConfig config, PluginRegistry registry, MeterRegistry meters, Ticker ticker,
      PluginChains previous) throws ConfigException {
    return compile(config, registry, meters, ticker, false, previous);
  }

  /**
   * Builds every route's chain only to check the config: plugins are told
   * ({@link PluginContext#validating()}) not to start background work or I/O.
   */
  public static PluginChains compileForValidation(GatewayConfig config, PluginRegistry registry) throws ConfigException {
    return compile(config, registry, new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), Ticker.SYSTEM, true, null);
  }

  private static PluginChains compile(GatewayConfig config, PluginRegistry registry, MeterRegistry meters, Ticker ticker,
      boolean validating, PluginChains previous) throws ConfigException {
    Map<String, PluginChain> chains = new HashMap<>();
    List<ConfigProblem> problems = new ArrayList<>();
    List<String> identityHeaders = identityHeaders(config, registry, problems);
    Set<String> credentialQueryParameters = credentialQueryParameters(config, registry, problems);
    for (RouteConfig route : config.routes()) {
      List<PluginSlot> slots = new ArrayList<>();
      for (PluginUse use : effectiveUses(config.plugins(), route.plugins())) {
        Plugin old = previous == null ? null : previous.forRoute(route.id()).instanceFor(use.name(), use.config());
        String upstream = route.action() instanceof RouteAction.Forward forward ? forward.upstream() : null;
        PluginSlot slot =
            instantiate(use, route.id(), upstream, registry, meters, ticker, validating, old, config.redis(), problems);
        if (slot != null) {
          slots.add(slot);
        }
      }
      slots.sort(Comparator.comparing(PluginSlot::phase).thenComparing(Comparator.comparingInt(PluginSlot::priority).reversed()));
      chains.put(route.id(), slots.isEmpty() ? PluginChain.EMPTY : new PluginChain(slots.toArray(PluginSlot[]::new)));
    }
    if (!problems.isEmpty()) {
      new PluginChains(chains, List.of(), Set.of()).closeAllBut(previous);
      throw new ConfigException(problems);
    }
    return new PluginChains(Map.copyOf(chains), identityHeaders, credentialQueryParameters);
  }

  /** The chain of route {@code routeId}; empty when it has no plugins. */
  public PluginChain forRoute(String routeId) {
    return byRoute.getOrDefault(routeId, PluginChain.EMPTY);
  }

  /**
   * The identity headers of every plugin entry of the config, lower case, each once: the gateway
   * strips them from every client request, on every route.
   */
  public List<String> identityHeaders() {
    return identityHeaders;
  }

  /** The query parameters every plugin entry of the config reads credentials from: the access log hides their values. */
  public Set<String> credentialQueryParameters() {
    return credentialQueryParameters;
  }

  /** The query parameters every plugin entry of the config reads credentials from (see {@link #declared}). */
  private static Set<String> credentialQueryParameters(GatewayConfig config, PluginRegistry registry,
      List<ConfigProblem> problems) {
    Set<String> names = new LinkedHashSet<>();
    declared(config, registry, problems, "credential query parameters", PluginFactory::credentialQueryParameters,
        (use, name) -> {
          if (name != null && !name.isEmpty()) {
            names.add(name);
          }
        });
    return Set.copyOf(names);
  }

  /**
   * The identity headers of every plugin entry of the config (see {@link #declared}). Names a plugin may not claim
   * are reported at its entry.
   */
  private static List<String> identityHeaders(GatewayConfig config, PluginRegistry registry, List<ConfigProblem> problems) {
    Set<String> names = new LinkedHashSet<>();
    declared(config, registry, problems, "identity headers", PluginFactory::identityHeaders, (use, name) -> {
      String lower = name == null ? null : name.toLowerCase(Locale.ROOT);
      if (lower == null || !HttpSyntax.isToken(lower)) {
        problems.add(new ConfigProblem(use.position(), use.path(), "plugin '" + use.name() + "' declares the identity header "
            + (name == null ? "null" : "'" + name + "'") + ", which is not a header name"));
      } else if (HttpSyntax.MANAGED_HEADERS.contains(lower) || lower.equals("x-request-id")) {
        problems.add(new ConfigProblem(use.position(), use.path(), "plugin '" + use.name() + "' declares '" + lower
            + "' as an identity header, but the gateway manages that header itself (expected: a header of the plugin's own, "
            + "such as x-user-id)"));
      } else {
        names.add(lower);
      }
    });
    return List.copyOf(names);
  }

  /**
   * Asks every plugin entry with a config of its own (global and per route, enabled or not: a route where a plugin is
   * switched off must not let a client set what it would) for names it declares, and hands each to {@code accept}.
   * A factory that throws is reported at its entry: it "could not name its {@code what}".
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void declared(GatewayConfig config, PluginRegistry registry, List<ConfigProblem> problems, String what,
      BiFunction<PluginFactory, Record, Set<String>> ask, BiConsumer<PluginUse, String> accept) {
    List<PluginUse> uses = new ArrayList<>(config.plugins());
    config.routes().forEach(route -> uses.addAll(route.plugins()));
    for (PluginUse use : uses) {
      InstalledPlugin installed = registry.get(use.name());
      if (installed == null || use.config() == null) {
        continue; // an unknown plugin is reported when the chains are built; a switch-only entry has no config
      }
      Set<String> declared;
      try {
        declared = ask.apply(installed.factory(), use.config());
      } catch (RuntimeException | LinkageError e) {
        problems.add(new ConfigProblem(use.position(), use.path(), "plugin '" + use.name() + "' (" + installed.source()
            + ") could not name its " + what + ": " + e.getMessage()));
        continue;
      }
      for (String name : declared == null ? Set.<String>of() : declared) {
        accept.accept(use, name);
      }
    }
  }

  /** Closes every plugin instance. */
  public void close() {
    byRoute.values().forEach(PluginChain::close);
  }

  /**
   * Closes every plugin instance that is not also one of {@code others} (a factory may hand the
   * previous instance itself back from {@code create}; that one still serves).
   */
  public void closeAllBut(PluginChains others) {
    if (others == null) {
      close();
      return;
    }
    java.util.Set<Plugin> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    others.byRoute.values().forEach(chain -> chain.slots().forEach(slot -> kept.add(slot.plugin())));
    byRoute.values().forEach(chain -> chain.closeExcept(kept));
  }

  /** The global entries merged with a route's, in position order, without disabled ones. */
  static List<PluginUse> effectiveUses(List<PluginUse> global, List<PluginUse> route) {
    Map<String, PluginUse> routeByName = new LinkedHashMap<>();
    route.forEach(use -> routeByName.put(use.name(), use));
    List<PluginUse> merged = new ArrayList<>();
    for (PluginUse g : global) {
      PluginUse own = routeByName.remove(g.name());
      if (own == null) {
        merged.add(g);
      } else if (own.config() == null) {
        merged.add(new PluginUse(g.name(), g.config(), own.enabled(), own.enforce(), own.timeout(), own.maxConcurrent(),
            own.position(), own.path()));
      } else {
        merged.add(own);
      }
    }
    merged.addAll(routeByName.values());
    merged.removeIf(use -> !use.enabled() || use.config() == null);
    return merged;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static PluginSlot instantiate(PluginUse use, String routeId, String upstream, PluginRegistry registry, MeterRegistry meters,
      Ticker ticker, boolean validating, Plugin previous, RedisSettings redis, List<ConfigProblem> problems) {
    InstalledPlugin installed = registry.get(use.name());
    if (installed == null) {
      problems.add(new ConfigProblem(use.position(), use.path(), "unknown plugin '" + use.name() + "'"));
      return null;
    }
    PluginFactory factory = installed.factory();
    PluginMeters pluginMeters = new PluginMeters(meters, use.name(), routeId);
    PluginContext context = new PluginContext() {
      @Override
      public String routeId() {
        return routeId;
      }

      @Override
      public Optional<String> upstream() {
        return Optional.ofNullable(upstream);
      }

      @Override
      public Ticker ticker() {
        return ticker;
      }

      @Override
      public Optional<Plugin> previous() {
        return Optional.ofNullable(previous);
      }

      @Override
      public boolean validating() {
        return validating;
      }

      @Override
      public Optional<RedisSettings> redis() {
        return Optional.ofNullable(redis);
      }

      @Override
      public io.sluice.spi.Meters meters() {
        return pluginMeters;
      }

      @Override
      public System.Logger logger() {
        return System.getLogger("io.sluice.plugin." + use.name());
      }
    };
    Plugin plugin;
    try {
      plugin = factory.create(use.config(), context);
    } catch (RuntimeException | LinkageError e) {
      problems.add(new ConfigProblem(use.position(), use.path(),
          "plugin '" + use.name() + "' (" + installed.source() + ") could not be created: " + e.getMessage()));
      return null;
    }
    if (plugin == null) {
      problems.add(new ConfigProblem(use.position(), use.path(), "plugin '" + use.name() + "' created no instance"));
      return null;
    }
    Timer timer = Timer.builder("sluice.plugin.request").description("Time spent in a plugin's onRequest")
        .tag("route", routeId).tag("plugin", use.name()).register(meters);
    Counter shadow = Counter.builder("sluice.plugin.shadow.rejections")
        .description("Requests a plugin in shadow mode (enforce: false) would have rejected")
        .tag("route", routeId).tag("plugin", use.name()).register(meters);
    return new PluginSlot(use.name(), use.config(), routeId, plugin, factory.phase(), factory.priority(), use.enforce(),
        factory.blocking(), use.position(), timer, shadow, new PluginRejections(meters, routeId, use.name()), use.timeout(),
        use.maxConcurrent(),
        new FailureLog(PluginChain.LOG, ticker));
  }
}
