package io.sluice.plugins.apikey;

import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.Exchange;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Identity;
import io.sluice.spi.Plugin;

/** Checks the presented key against the key table and publishes the consumer's identity. */
final class ApiKeyPlugin implements Plugin {

  private final KeyTable keys;
  private final KeySource source;
  private final boolean stripKey;
  private final String forwardConsumerHeader;
  private final Decision missing;
  private final Decision unknown;

  ApiKeyPlugin(ApiKeyConfig config) {
    this.keys = KeyTable.of(config.consumers());
    this.source = KeySource.of(config);
    this.stripKey = config.stripKey();
    this.forwardConsumerHeader = config.forwardConsumerHeader();
    // both refusals are the same for every request: built once
    this.missing = Decision.reply(GatewayError.of(ErrorCode.UNAUTHENTICATED, "An API key is required in the " + source.describe())
        .withDetails("api_key.missing"));
    this.unknown = Decision.reply(GatewayError.of(ErrorCode.UNAUTHENTICATED, "The API key is not valid")
        .withDetails("api_key.unknown"));
  }

  @Override
  public Decision onRequest(Exchange exchange) {
    // A forward_consumer_header the client sent is gone already: the gateway strips it on every
    // route (ApiKeyPluginFactory#identityHeaders), so only this plugin says who the consumer is.
    String key = source.key(exchange);
    if (key == null || key.isEmpty()) {
      return missing;
    }
    Identity identity = keys.find(key);
    if (identity == null) {
      return unknown;
    }
    exchange.attributes().put(Identity.KEY, identity);
    if (stripKey) {
      source.strip(exchange);
    }
    if (forwardConsumerHeader != null) {
      exchange.requestHeaders().set(forwardConsumerHeader, identity.consumer());
    }
    return Decision.proceed();
  }
}
