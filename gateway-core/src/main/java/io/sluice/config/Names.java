package io.sluice.config;

import java.util.regex.Pattern;

/** The form of the names operators give things (route ids, listener and upstream names). */
final class Names {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

  private Names() {}

  static boolean isValid(String name) {
    return NAME.matcher(name).matches();
  }

  /** {@code 'a b' (expected: a route id of letters, digits, '_', '.' and '-')}; {@code what} is "a route id". */
  static String invalid(String name, String what) {
    return Messages.invalid(name, what + " of letters, digits, '_', '.' and '-'");
  }
}
