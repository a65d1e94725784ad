package io.sluice.plugins.rbac;

import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** A rule ready for requests: parsed patterns and requirements, and its refusal built once. */
final class CompiledRule {

  private final int index;
  private final Set<String> methods;
  private final PathMatcher[] paths;
  private final Requirement[] any;
  private final Requirement[] all;
  private final Decision denied;

  CompiledRule(int index, RbacConfig.Rule rule) {
    this.index = index;
    this.methods = Set.copyOf(rule.methods());
    this.paths = rule.paths().stream().map(PathMatcher::parse).toArray(PathMatcher[]::new);
    this.any = rule.requireAny().stream().map(Requirement::parse).toArray(Requirement[]::new);
    this.all = rule.requireAll().stream().map(Requirement::parse).toArray(Requirement[]::new);
    this.denied = Decision.reply(GatewayError.of(ErrorCode.FORBIDDEN, message(List.of(any), List.of(all)))
        .withDetails("rbac.rule_denied rule=" + index));
  }

  int index() {
    return index;
  }

  Decision denied() {
    return denied;
  }

  boolean appliesTo(String method, String path) {
    if (!methods.isEmpty() && !methods.contains(method)) {
      return false;
    }
    if (paths.length == 0) {
      return true;
    }
    for (PathMatcher pattern : paths) {
      if (pattern.matches(path)) {
        return true;
      }
    }
    return false;
  }

  boolean allows(Grants grants) {
    for (Requirement requirement : all) {
      if (!requirement.isMetBy(grants)) {
        return false;
      }
    }
    if (any.length == 0) {
      return true;
    }
    for (Requirement requirement : any) {
      if (requirement.isMetBy(grants)) {
        return true;
      }
    }
    return false;
  }

  /** What the client is told: the names of permissions and roles are not secrets, and tell a caller what to ask for. */
  private static String message(List<Requirement> any, List<Requirement> all) {
    String anyText = any.stream().map(Requirement::toString).collect(Collectors.joining(", "));
    String allText = all.stream().map(Requirement::toString).collect(Collectors.joining(", "));
    if (all.isEmpty()) {
      return any.size() == 1 ? "Missing permission " + anyText : "Requires one of: " + anyText;
    }
    if (any.isEmpty()) {
      return all.size() == 1 ? "Missing permission " + allText : "Requires all of: " + allText;
    }
    return "Requires all of: " + allText + "; and one of: " + anyText;
  }
}
