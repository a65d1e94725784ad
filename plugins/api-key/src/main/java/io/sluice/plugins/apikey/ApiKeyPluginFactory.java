package io.sluice.plugins.apikey;

import io.sluice.spi.Phase;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;
import java.util.Set;

/**
 * The {@code api_key} plugin: authenticates a caller by the key it sends, in a header or a query
 * parameter, and publishes the matching consumer as the exchange's {@link io.sluice.spi.Identity}
 * (subject and consumer: the consumer's name; roles: its configured roles). A missing or unknown
 * key is answered 401 {@code UNAUTHENTICATED}. See {@link ApiKeyConfig} for the keys.
 */
public final class ApiKeyPluginFactory implements PluginFactory<ApiKeyConfig> {

  @Override
  public String name() {
    return "api_key";
  }

  @Override
  public Class<ApiKeyConfig> configType() {
    return ApiKeyConfig.class;
  }

  @Override
  public Phase phase() {
    return Phase.AUTHENTICATION;
  }

  /** The {@code forward_consumer_header}, if any: the gateway strips it from every client request. */
  @Override
  public Set<String> identityHeaders(ApiKeyConfig config) {
    return config.forwardConsumerHeader() == null ? Set.of() : Set.of(config.forwardConsumerHeader());
  }

  /** The {@code query_param} with {@code key_from: query}: the access log hides the key. */
  @Override
  public Set<String> credentialQueryParameters(ApiKeyConfig config) {
    return config.keyFrom() == ApiKeyConfig.KeyFrom.QUERY ? Set.of(config.queryParam()) : Set.of();
  }

  @Override
  public Plugin create(ApiKeyConfig config, PluginContext context) {
    return new ApiKeyPlugin(config);
  }
}
