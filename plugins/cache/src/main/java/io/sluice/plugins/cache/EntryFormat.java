package io.sluice.plugins.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stored response as bytes, for the Redis tier: compact, binary and versioned, so that instances
 * of another version sharing one Redis refuse what they cannot read (it counts as a miss) instead
 * of misreading it.
 *
 * <p>Version 1, big-endian: the magic {@code "SC"}, the version byte {@code 1}; the status (u16);
 * the wall-clock times the request was sent and the response arrived (or was last revalidated), in
 * epoch milliseconds (i64 each); its age in seconds then, and its freshness lifetime in seconds (i64
 * each); the configured key headers' values, the {@code Vary} names and the request's values of them
 * (each a count, u16, and strings); the header fields (a count, u16, and name, value pairs); the body
 * (a length, i32, and bytes). A string is its UTF-8 length (i32, -1 for none) and its bytes.
 * Ages across instances rely on their clocks agreeing (NTP), as {@code Date} does.
 */
final class EntryFormat {

  static final int VERSION = 1;
  private static final int MAGIC = ('S' << 8) | 'C';

  private EntryFormat() {}

  /** {@code entry} as bytes; {@code responseMillis} is the wall-clock time of its {@code storedAtNanos}. */
  static byte[] encode(StoredResponse entry, long requestMillis, long responseMillis) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(entry.body.length + 512);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeShort(MAGIC);
      out.writeByte(VERSION);
      out.writeShort(entry.status);
      out.writeLong(requestMillis);
      out.writeLong(responseMillis);
      out.writeLong(entry.initialAge);
      out.writeLong(entry.lifetime);
      writeStrings(out, entry.keyValues);
      writeStrings(out, entry.varyNames);
      writeStrings(out, entry.varyValues);
      out.writeShort(entry.headers.size());
      for (Map.Entry<String, String> field : entry.headers.entrySet()) {
        writeString(out, field.getKey());
        writeString(out, field.getValue());
      }
      out.writeInt(entry.body.length);
      out.write(entry.body);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not thrown by a ByteArrayOutputStream
    }
    return bytes.toByteArray();
  }

  /**
   * The entry in {@code bytes} as if stored here now: its age then plus the time since it arrived
   * (by the wall clock) count as its age. {@code null} for anything but a whole entry of a known
   * version.
   */
  static StoredResponse decode(byte[] bytes, long nowNanos, long nowMillis) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (bytes.length < 3 || in.readUnsignedShort() != MAGIC || in.readUnsignedByte() != VERSION) {
        return null;
      }
      int status = in.readUnsignedShort();
      in.readLong(); // the request's time: the age below already accounts for it
      long responseMillis = in.readLong();
      long initialAge = in.readLong();
      long lifetime = in.readLong();
      String[] keyValues = readStrings(in, bytes.length);
      String[] varyNames = readStrings(in, bytes.length);
      String[] varyValues = readStrings(in, bytes.length);
      int fields = in.readUnsignedShort();
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 0; i < fields; i++) {
        String name = readString(in, bytes.length);
        String value = readString(in, bytes.length);
        if (name == null || value == null) {
          return null;
        }
        headers.put(name, value);
      }
      byte[] body = new byte[length(in, bytes.length)];
      in.readFully(body);
      if (in.available() != 0 || status < 100 || status > 999 || initialAge < 0 || varyNames.length != varyValues.length) {
        return null;
      }
      long residentNanos = Math.max(0, nowMillis - responseMillis) * 1_000_000L;
      Map<String, String> stored = Collections.unmodifiableMap(headers);
      return new StoredResponse(status, stored, body, nowNanos - residentNanos, initialAge, lifetime,
          CacheControl.ofStored(stored), keyValues, varyNames, varyValues);
    } catch (IOException | IllegalArgumentException e) {
      return null; // cut short, or lengths that do not fit: not an entry
    }
  }

  /** The Redis hash field of the variant {@code entry} answers: its key header and {@code Vary} values. */
  static byte[] variantField(StoredResponse entry) {
    StringBuilder out = new StringBuilder();
    for (String[] values : new String[][] {entry.keyValues, entry.varyNames, entry.varyValues}) {
      for (String value : values) {
        out.append(value == null ? "\u0001" : value).append('\u0000');
      }
      out.append('\u0002');
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void writeStrings(DataOutputStream out, String[] values) throws IOException {
    out.writeShort(values.length);
    for (String value : values) {
      writeString(out, value);
    }
  }

  private static void writeString(DataOutputStream out, String value) throws IOException {
    if (value == null) {
      out.writeInt(-1);
      return;
    }
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private static String[] readStrings(DataInputStream in, int total) throws IOException {
    String[] values = new String[in.readUnsignedShort()];
    for (int i = 0; i < values.length; i++) {
      values[i] = readString(in, total);
    }
    return values.length == 0 ? Keys.NO_VALUES : values;
  }

  private static String readString(DataInputStream in, int total) throws IOException {
    int length = in.readInt();
    if (length == -1) {
      return null;
    }
    byte[] utf8 = new byte[checked(length, total)];
    in.readFully(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  private static int length(DataInputStream in, int total) throws IOException {
    return checked(in.readInt(), total);
  }

  /** A length read from the bytes, refused when it could not fit in them (no huge allocation for garbage). */
  private static int checked(int length, int total) {
    if (length < 0 || length > total) {
      throw new IllegalArgumentException("length " + length + " in an entry of " + total + " bytes");
    }
    return length;
  }
}
