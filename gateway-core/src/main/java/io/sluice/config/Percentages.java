package io.sluice.config;

/** Shares written as percentages, such as {@code 90%} or {@code 2.5%}; a bare number means the same. */
final class Percentages {

  static final String EXPECTED = "a percentage such as 90% or 2.5%";

  private Percentages() {}

  /**
   * The share as a fraction of one: {@code 90%} is 0.9.
   *
   * @param zeroAllowed whether 0% is a value the caller gives a meaning to
   * @throws IllegalArgumentException when {@code text} is not a number up to 100, with or without {@code %}
   */
  static double parse(String text, boolean zeroAllowed) {
    String number = text.endsWith("%") ? text.substring(0, text.length() - 1).strip() : text;
    double value;
    try {
      value = Double.parseDouble(number);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(Messages.invalid(text, EXPECTED));
    }
    boolean low = zeroAllowed ? value < 0 : value <= 0;
    if (low || !(value <= 100) || !Character.isDigit(number.charAt(number.length() - 1))) {
      throw new IllegalArgumentException(Messages.invalid(text,
          zeroAllowed ? "a percentage from 0% to 100%" : "a percentage greater than 0% and at most 100%"));
    }
    return value / 100;
  }
}
