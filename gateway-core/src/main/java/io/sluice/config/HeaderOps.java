package io.sluice.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Header changes, applied in the order remove, set, add.
 *
 * @param remove names removed
 * @param set names set to exactly one value (replacing any present)
 * @param add values appended (keeping any present)
 */
public record HeaderOps(List<String> remove, Map<String, String> set, Map<String, String> add) {

  public static final HeaderOps NONE = new HeaderOps(List.of(), Map.of(), Map.of());

  public HeaderOps {
    remove = List.copyOf(remove);
    set = Collections.unmodifiableMap(new LinkedHashMap<>(set));
    add = Collections.unmodifiableMap(new LinkedHashMap<>(add));
  }

  public boolean isEmpty() {
    return remove.isEmpty() && set.isEmpty() && add.isEmpty();
  }
}
