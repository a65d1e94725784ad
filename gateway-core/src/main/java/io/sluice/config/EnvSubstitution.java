package io.sluice.config;

import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in a scalar, so that secrets and
 * per-host values stay out of the file. {@code $${} stands for a literal {@code ${}.
 * Replacements are not scanned again, and defaults cannot nest.
 */
final class EnvSubstitution {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private EnvSubstitution() {}

  /**
   * @param env returns a variable's value, or {@code null} when it is not set
   * @throws IllegalArgumentException naming the variable or the malformed reference
   */
  static String apply(String text, Function<String, String> env) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int close = text.indexOf('}', i + 2);
        if (close < 0) {
          throw new IllegalArgumentException(
              Messages.quote(text) + " has an unclosed '${' (expected: ${NAME} or ${NAME:-default}; write $${ for a literal ${)");
        }
        out.append(resolve(text, text.substring(i + 2, close), env));
        i = close + 1;
      } else {
        out.append(text.charAt(i++));
      }
    }
    return out.toString();
  }

  private static String resolve(String text, String reference, Function<String, String> env) {
    int dash = reference.indexOf(":-");
    String name = dash < 0 ? reference : reference.substring(0, dash);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(Messages.quote(text) + " refers to " + Messages.quote(name)
          + " (expected: a variable name of letters, digits and '_', not starting with a digit)");
    }
    String value = env.apply(name);
    if (dash >= 0 && (value == null || value.isEmpty())) {
      return reference.substring(dash + 2); // like the shell's ${X:-d}: unset or empty takes the default
    }
    if (value == null) {
      throw new IllegalArgumentException(
          "environment variable '" + name + "' is not set (set it, or give a default: ${" + name + ":-default})");
    }
    return value;
  }
}
