package io.sluice.plugins.rbac;

import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.Exchange;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Identity;
import io.sluice.spi.Plugin;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Finds the first rule for the request and checks the caller's grants against it. */
final class RbacPlugin implements Plugin {

  private static final Decision UNAUTHENTICATED = Decision.reply(
      GatewayError.of(ErrorCode.UNAUTHENTICATED, "Authentication required").withDetails("rbac.no_identity"));
  private static final Decision NO_RULE = Decision.reply(
      GatewayError.of(ErrorCode.FORBIDDEN, "No rule allows this request").withDetails("rbac.no_rule"));

  private final CompiledRule[] rules;
  private final Grants.Source grants;
  private final boolean allowByDefault;
  private final String routeId;
  private final Logger logger;

  RbacPlugin(RbacConfig config, String routeId, Logger logger) {
    List<RbacConfig.Rule> configured = config.rules();
    this.rules = new CompiledRule[configured.size()];
    for (int i = 0; i < rules.length; i++) {
      rules[i] = new CompiledRule(i, configured.get(i));
    }
    Map<String, List<Permission>> permissions = config.rolePermissions().entrySet().stream().collect(Collectors.toMap(
        Map.Entry::getKey, e -> e.getValue().stream().map(Permission::parseGranted).toList()));
    this.grants = new Grants.Source(config.rolesFrom(), config.includeIdentityRoles(), permissions);
    this.allowByDefault = config.default_() == RbacConfig.Access.ALLOW;
    this.routeId = routeId;
    this.logger = logger;
  }

  @Override
  public Decision onRequest(Exchange exchange) {
    Identity identity = exchange.attributes().get(Identity.KEY);
    if (identity == null) {
      log(exchange, null, "deny (no identity: put an authentication plugin such as jwt or api_key before rbac)");
      return UNAUTHENTICATED;
    }
    String method = exchange.method();
    String path = exchange.path();
    for (CompiledRule rule : rules) {
      if (rule.appliesTo(method, path)) {
        boolean allowed = rule.allows(grants.of(identity));
        log(exchange, identity, (allowed ? "allow" : "deny") + " by rule " + rule.index());
        return allowed ? Decision.proceed() : rule.denied();
      }
    }
    log(exchange, identity, (allowByDefault ? "allow" : "deny") + " by default (no rule matched)");
    return allowByDefault ? Decision.proceed() : NO_RULE;
  }

  private void log(Exchange exchange, Identity identity, String decision) {
    if (logger.isLoggable(Level.DEBUG)) {
      logger.log(Level.DEBUG, "rbac route=" + routeId + " request=" + exchange.requestId() + " " + exchange.method() + " "
          + exchange.path() + " subject=" + (identity == null ? "-" : identity.subject()) + ": " + decision);
    }
  }
}
