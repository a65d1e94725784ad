package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.RouteAction;
import io.sluice.config.Rewrite;
import io.sluice.config.ValueMatch;
import io.sluice.config.WeightedUpstream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code sluice routes} names every upstream of a split with its weight and override, and a route's mirror. */
class RouteListingSplitTest {

  @Test
  void aSplitIsDescribedWithWeightsAndOverrides() {
    RouteAction.Forward forward = new RouteAction.Forward("stable", Rewrite.NONE, null, false, List.of(
        new WeightedUpstream("stable", 95, List.of()),
        new WeightedUpstream("canary", 5, List.of(ValueMatch.exact("x-canary", "1")))));

    assertThat(RouteListing.describeAction(forward))
        .isEqualTo("split between upstreams 'stable' weight 95; 'canary' weight 5, header x-canary=1");
  }

  @Test
  void aMirrorIsDescribedWithItsShare() {
    RouteAction.Forward forward = new RouteAction.Forward("search", Rewrite.NONE, null, false, List.of(),
        new io.sluice.config.MirrorConfig("search-v2", 0.125, 1024));

    assertThat(RouteListing.describeAction(forward)).isEqualTo("forward to upstream 'search', mirror 12.5% to upstream 'search-v2'");
  }
}
