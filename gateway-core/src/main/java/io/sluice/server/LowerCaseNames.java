package io.sluice.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * Header names in lower case, as HTTP/2 writes them, without a new copy for the names upstreams
 * send on every response ({@code Content-Type}, {@code Date}, {@code Server}...): those are looked
 * up in a table of Netty's {@link HttpHeaderNames} constants by their case-insensitive hash.
 */
final class LowerCaseNames {

  private static final AsciiString[] TABLE = table();
  private static final int MASK = TABLE.length - 1;

  private LowerCaseNames() {}

  /** {@code name} in lower case: a shared constant for a well-known name, otherwise at most one copy. */
  static AsciiString of(CharSequence name) {
    int slot = AsciiString.hashCode(name) & MASK;
    for (AsciiString known; (known = TABLE[slot]) != null; slot = slot + 1 & MASK) {
      if (known.contentEqualsIgnoreCase(name)) {
        return known;
      }
    }
    return copy(name);
  }

  private static AsciiString copy(CharSequence name) {
    if (name instanceof AsciiString ascii) {
      return ascii.toLowerCase(); // itself when it is in lower case already
    }
    int length = name.length();
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      char c = name.charAt(i); // field names are tokens: ASCII
      bytes[i] = (byte) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    return new AsciiString(bytes, false);
  }

  /** Open addressing, at most a quarter full, so that a lookup rarely probes twice. */
  private static AsciiString[] table() {
    Field[] fields = HttpHeaderNames.class.getFields(); // once, at class initialisation
    AsciiString[] table = new AsciiString[Integer.highestOneBit(fields.length * 4) * 2];
    for (Field field : fields) {
      if (!Modifier.isStatic(field.getModifiers()) || field.getType() != AsciiString.class) {
        continue;
      }
      try {
        AsciiString name = (AsciiString) field.get(null);
        int slot = AsciiString.hashCode(name) & table.length - 1;
        while (table[slot] != null) {
          slot = slot + 1 & table.length - 1;
        }
        table[slot] = name;
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
    return table;
  }
}
