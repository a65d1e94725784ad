package io.sluice.plugins.rbac;

import io.sluice.spi.Phase;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;

/**
 * The {@code rbac} plugin: allows or refuses a request by what the caller's
 * {@link io.sluice.spi.Identity} (published by an authentication plugin) holds: roles from its
 * claims and, for API-key consumers, its own roles; the permissions those roles map to; and
 * permissions its claims carry directly. The first rule whose methods and paths match decides;
 * a refusal is 403 {@code FORBIDDEN} (gRPC {@code PERMISSION_DENIED}), no identity is 401
 * {@code UNAUTHENTICATED}. See {@link RbacConfig} for the keys.
 */
public final class RbacPluginFactory implements PluginFactory<RbacConfig> {

  @Override
  public String name() {
    return "rbac";
  }

  @Override
  public Class<RbacConfig> configType() {
    return RbacConfig.class;
  }

  @Override
  public Phase phase() {
    return Phase.AUTHORIZATION;
  }

  @Override
  public Plugin create(RbacConfig config, PluginContext context) {
    return new RbacPlugin(config, context.routeId(), context.logger());
  }
}
