package io.sluice.cli;

import io.sluice.config.GatewayConfig;
import io.sluice.config.HostPattern;
import io.sluice.config.MatrixParameters;
import io.sluice.config.RouteAction;
import io.sluice.config.RouteConfig;
import io.sluice.config.Rewrite;
import io.sluice.config.ValueMatch;
import io.sluice.plugin.PluginChains;
import io.sluice.plugin.PluginSlot;
import io.sluice.routing.CompiledRoute;
import io.sluice.routing.RouteTable;
import io.sluice.routing.Shadowing;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Renders a config's route table for {@code sluice routes}: one block per route, in the order routes are tried. */
public final class RouteListing {

  private RouteListing() {}

  /** The compiled table, as {@code sluice routes} prints it and {@code GET /admin/routes} returns it. */
  public static String render(GatewayConfig config, PluginChains chains) {
    RouteTable table = RouteTable.compile(config.routes());
    StringBuilder out = new StringBuilder();
    out.append(config.routes().size()).append(" routes from ").append(config.source())
        .append(", in the order they are tried (see docs/routing.md):\n");
    for (CompiledRoute route : table.routes()) {
      RouteConfig rc = route.config();
      out.append(String.format("%3d. %s  (%s)%n", route.priority() + 1, rc.id(), rc.position()));
      out.append("       match:  ").append(describeMatch(rc)).append('\n');
      out.append("       action: ").append(describeAction(rc.action())).append('\n');
      List<PluginSlot> slots = chains.forRoute(rc.id()).slots();
      if (!slots.isEmpty()) {
        out.append("       plugins (in running order):\n");
        for (PluginSlot slot : slots) {
          out.append("         - ").append(slot.name()).append("  [").append(slot.phase().name().toLowerCase(java.util.Locale.ROOT))
              .append(", priority ").append(slot.priority())
              .append(slot.enforce() ? "" : ", shadow mode").append(slot.blocking() ? ", blocking" : "")
              .append("]  ").append(slot.position()).append('\n');
        }
      }
    }
    List<Shadowing> shadowed = table.shadowed();
    if (!shadowed.isEmpty()) {
      out.append("\nWarnings:\n");
      shadowed.forEach(s -> out.append("  ").append(s.describe()).append('\n'));
    }
    return out.toString();
  }

  /** A route's match conditions, in one line. */
  public static String describeMatch(RouteConfig route) {
    List<String> parts = new ArrayList<>();
    var match = route.match();
    parts.add(match.hosts().isEmpty() ? "any host" : "host " + String.join("|", match.hosts().stream().map(HostPattern::text).toList()));
    parts.add("path " + match.path().text());
    parts.add(match.methods().isEmpty() ? "any method" : String.join("|", new TreeSet<>(match.methods())));
    for (ValueMatch header : match.headers()) {
      parts.add("header " + describe(header));
    }
    for (ValueMatch query : match.query()) {
      parts.add("query " + describe(query));
    }
    if (route.matrixParameters() != MatrixParameters.REFUSE) {
      parts.add("matrix parameters " + route.matrixParameters().name().toLowerCase(java.util.Locale.ROOT));
    }
    return String.join(", ", parts);
  }

  /** What a route does (forward or respond), in one line. */
  public static String describeAction(RouteAction action) {
    return switch (action) {
      case RouteAction.Respond respond -> "respond " + respond.status()
          + (respond.body().isEmpty() ? "" : " (" + respond.body().length() + " bytes)");
      case RouteAction.Forward forward -> describeTarget(forward) + describe(forward.rewrite())
          + (forward.responseTimeout() == null ? "" : ", timeout " + forward.responseTimeout().toMillis() + "ms")
          + (forward.mirror() == null ? "" : ", mirror " + percent(forward.mirror().fraction()) + " to upstream '"
              + forward.mirror().upstream() + "'");
    };
  }

  private static String describeTarget(RouteAction.Forward forward) {
    if (forward.split().isEmpty()) {
      return "forward to upstream '" + forward.upstream() + "'";
    }
    List<String> parts = new ArrayList<>();
    for (io.sluice.config.WeightedUpstream entry : forward.split()) {
      StringBuilder part = new StringBuilder("'").append(entry.upstream()).append("' weight ").append(entry.weight());
      for (ValueMatch header : entry.headers()) {
        part.append(", header ").append(describe(header));
      }
      parts.add(part.toString());
    }
    return "split between upstreams " + String.join("; ", parts);
  }

  private static String percent(double fraction) {
    return java.math.BigDecimal.valueOf(fraction * 100).stripTrailingZeros().toPlainString() + "%";
  }

  private static String describe(Rewrite rewrite) {
    return switch (rewrite.kind()) {
      case NONE -> "";
      case STRIP_PREFIX -> ", strip prefix " + rewrite.from();
      case REPLACE_PREFIX -> ", replace prefix " + rewrite.from() + " with " + rewrite.to();
      case TEMPLATE -> ", rewrite path to " + rewrite.to();
    };
  }

  private static String describe(ValueMatch condition) {
    return switch (condition.kind()) {
      case EXACT -> condition.name() + "=" + condition.value();
      case PRESENT -> condition.name() + " present";
      case ABSENT -> condition.name() + " absent";
      case REGEX -> condition.name() + "~/" + condition.value() + "/";
    };
  }
}
