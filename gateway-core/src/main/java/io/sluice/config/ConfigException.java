package io.sluice.config;

import java.util.List;

/** Thrown when a config has one or more mistakes; carries all of them, in document order. */
public final class ConfigException extends Exception {

  private final List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(render(problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String render(List<ConfigProblem> problems) {
    StringBuilder out = new StringBuilder();
    out.append(problems.size()).append(problems.size() == 1 ? " problem" : " problems");
    for (ConfigProblem problem : problems) {
      out.append(System.lineSeparator()).append("  ").append(problem);
    }
    return out.toString();
  }
}
