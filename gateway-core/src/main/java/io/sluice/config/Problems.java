package io.sluice.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;

/**
 * Collects the mistakes of one file. Readers keep going after a mistake (with a stand-in value)
 * so that one run reports everything; a result is only handed out when nothing was collected.
 */
final class Problems {

  private final String file;
  private final List<ConfigProblem> problems = new ArrayList<>();

  Problems(String file) {
    this.file = file;
  }

  SourcePosition position(Mark mark) {
    return mark == null ? new SourcePosition(file, 1, 1) : new SourcePosition(file, mark.getLine() + 1, mark.getColumn() + 1);
  }

  void add(SourcePosition position, String path, String message) {
    problems.add(new ConfigProblem(position, path, message));
  }

  boolean isEmpty() {
    return problems.isEmpty();
  }

  /**
   * All problems in document order. Sections are read in dependency order (upstreams before the
   * routes that name them), so the order of discovery is not the order of the file.
   */
  List<ConfigProblem> inDocumentOrder() {
    List<ConfigProblem> sorted = new ArrayList<>(problems);
    sorted.sort(Comparator.comparingInt((ConfigProblem p) -> p.position().line()).thenComparingInt(p -> p.position().column()));
    return sorted;
  }

  void throwIfAny() throws ConfigException {
    if (!problems.isEmpty()) {
      throw new ConfigException(inDocumentOrder());
    }
  }
}
