package io.sluice.config;

/**
 * One mistake in a config file.
 *
 * @param position where it was written
 * @param path the path into the document, e.g. {@code routes[2].match.path}
 * @param message what is wrong and what is expected, as a sentence
 */
public record ConfigProblem(SourcePosition position, String path, String message) {

  /** {@code sluice.yaml:14:9 routes[2].match.path: ... }, the form printed to operators. */
  @Override
  public String toString() {
    return position + " " + (path.isEmpty() ? "" : path + ": ") + message;
  }
}
