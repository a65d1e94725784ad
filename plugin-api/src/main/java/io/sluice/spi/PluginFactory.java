package io.sluice.spi;

import java.util.Set;

/**
 * Creates plugin instances from their YAML config. Registered for {@link java.util.ServiceLoader}
 * in {@code META-INF/services/io.sluice.spi.PluginFactory}; a jar in the {@code plugins/}
 * folder is found the same way.
 *
 * <p><b>Config.</b> The mapping under the plugin's name in YAML is bound to {@link #configType()},
 * a record: keys are the snake_case form of the components ({@code allow_origins} for
 * {@code allowOrigins}; a component named after a Java keyword takes a trailing {@code _}:
 * {@code default_} binds {@code default}); supported component types are {@code String}, {@code boolean},
 * {@code int}, {@code long}, {@code double} (and their boxes), {@link java.time.Duration}
 * ({@code 250ms}, {@code 10s}), enums (by lower-case name), nested records, and {@code List},
 * {@code Set} and {@code Map<String, ?>} of those. An absent key binds as {@code null} (an empty
 * collection for collections, {@code false}/{@code 0} for primitives): the record's compact
 * constructor sets defaults and checks values, throwing {@link IllegalArgumentException} with a
 * sentence that names the key, which the operator then sees with file, line and column.
 * Unknown keys are errors. The keys {@code enabled}, {@code enforce}, {@code timeout} and
 * {@code max_concurrent} are reserved for the gateway (a config record may not use them).
 *
 * <p><b>Lifecycle.</b> {@link #create} runs once per route that uses the plugin, whenever a
 * config is loaded: do all parsing, compiling and lookups there, so the hooks only read.
 *
 * {@snippet :
 * public final class RequireHeaderFactory implements PluginFactory<RequireHeaderFactory.Config> {
 *   public record Config(String header) {
 *     public Config {
 *       if (header == null || header.isBlank()) throw new IllegalArgumentException("header: missing (expected: a header name)");
 *     }
 *   }
 *   public String name() { return "require_header"; }
 *   public Class<Config> configType() { return Config.class; }
 *   public Plugin create(Config config, PluginContext context) { return new RequireHeader(config.header()); }
 * }
 * }
 *
 * @param <C> the config record
 */
public interface PluginFactory<C extends Record> {

  /** The YAML key, snake_case: {@code cors}, {@code rate_limit}. Unique among all plugins. */
  String name();

  /** The record the plugin's YAML binds to. */
  Class<C> configType();

  /** When the plugin runs relative to others; {@link Phase#TRANSFORM} unless overridden. */
  default Phase phase() {
    return Phase.TRANSFORM;
  }

  /** Order within the phase: higher runs first. 0 unless overridden. */
  default int priority() {
    return 0;
  }

  /**
   * Whether {@link Plugin#onRequest} may block (a JDBC call, a blocking client). If so, it runs
   * on a virtual thread and the exchange resumes on its event loop afterwards. At most
   * {@code max_concurrent} such calls run at once per route (a request beyond that gets 503
   * {@code PLUGIN_OVERLOADED}), and a call that takes longer than {@code timeout} is interrupted
   * and answered 504 {@code PLUGIN_TIMEOUT}.
   */
  default boolean blocking() {
    return false;
  }

  /**
   * The request headers this plugin sets to tell the upstream who the caller is (a user id, a
   * consumer name, forwarded token claims), for {@code config}. Empty unless overridden.
   *
   * <p>The gateway removes headers of these names from every client request, on every route,
   * before routing and before any plugin runs: also on routes where this plugin is absent or
   * {@code enabled: false}, and also when the plugin does not set the header on a request. So a
   * header of such a name that reaches an upstream was set by a plugin, never by the client, and
   * the plugin need not remove it itself. Names are HTTP field names, compared without regard to
   * case; framing and connection headers ({@code host}, {@code content-length}, ...) and
   * {@code x-request-id} are refused as config mistakes at the plugin's entry.
   *
   * <p>Called once per plugin entry (global and per route, enabled or not) when a config is
   * loaded, after the config record validated itself, on the loading thread. Derive the names
   * from {@code config} only; an exception is reported like one from {@link #create}.
   *
   * {@snippet :
   * @Override
   * public Set<String> identityHeaders(Config config) {
   *   return config.userHeader() == null ? Set.of() : Set.of(config.userHeader());   // e.g. x-user-id
   * }
   * }
   */
  default Set<String> identityHeaders(C config) {
    return Set.of();
  }

  /**
   * The query parameters that carry credentials for this plugin, for {@code config} (an API key or a token read from
   * the query string). Empty unless overridden. The access log writes {@code REDACTED} instead of their values, on
   * every route. Called once per plugin entry when a config is loaded, like {@link #identityHeaders}.
   *
   * {@snippet :
   * @Override
   * public Set<String> credentialQueryParameters(Config config) {
   *   return config.keyFrom() == KeyFrom.QUERY ? Set.of(config.queryParam()) : Set.of();
   * }
   * }
   */
  default Set<String> credentialQueryParameters(C config) {
    return Set.of();
  }

  /** A plugin instance for one route (or the global chain). */
  Plugin create(C config, PluginContext context);
}
