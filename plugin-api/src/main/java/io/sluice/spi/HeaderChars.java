package io.sluice.spi;

/**
 * Character classes of header fields, as table lookups: plugins set headers on every request,
 * and a search through a string of delimiters per character showed in profiles.
 */
final class HeaderChars {

  /** Bit 0: tchar (RFC 9110 5.6.2); bit 1: field-content octet (VCHAR, SP, HTAB, obs-text). */
  private static final byte[] CLASSES = new byte[256];

  static {
    for (int c = 0; c < 256; c++) {
      boolean token = c > 0x20 && c < 0x7F && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
      boolean content = c >= 0x20 && c != 0x7F || c == '\t';
      CLASSES[c] = (byte) ((token ? 1 : 0) | (content ? 2 : 0));
    }
  }

  private HeaderChars() {}

  static boolean isToken(char c) {
    return c < 256 && (CLASSES[c] & 1) != 0;
  }

  static boolean isFieldContent(char c) {
    return c < 256 && (CLASSES[c] & 2) != 0;
  }
}
