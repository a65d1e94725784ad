package io.sluice.plugins.apikey;

import io.sluice.spi.Identity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The SHA-256 of every configured key and the identity it stands for. Lookups compare the
 * presented key's hash with every entry in constant time, so neither the position of a match
 * nor how many leading bytes agree shows in the response time.
 */
final class KeyTable {

  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(KeyTable::newDigest);

  private final byte[][] hashes;
  private final Identity[] identities;

  private KeyTable(byte[][] hashes, Identity[] identities) {
    this.hashes = hashes;
    this.identities = identities;
  }

  /**
   * The table of these consumers' keys, plain ones hashed here.
   *
   * @throws IllegalArgumentException when one key belongs to two consumers (or twice to one)
   */
  static KeyTable of(List<ApiKeyConfig.Consumer> consumers) {
    List<byte[]> hashes = new ArrayList<>();
    List<Identity> identities = new ArrayList<>();
    List<String> owners = new ArrayList<>();
    for (ApiKeyConfig.Consumer consumer : consumers) {
      Identity identity = new Identity(consumer.name(), consumer.name(), Map.of(), new LinkedHashSet<>(consumer.roles()), "api_key");
      List<byte[]> own = new ArrayList<>();
      consumer.keys().forEach(key -> own.add(sha256(key)));
      consumer.keyHashes().forEach(hex -> own.add(HexFormat.of().parseHex(hex)));
      for (byte[] hash : own) {
        for (int i = 0; i < hashes.size(); i++) {
          if (MessageDigest.isEqual(hashes.get(i), hash)) {
            throw new IllegalArgumentException("consumers: one key is given to '" + owners.get(i) + "' and '" + consumer.name()
                + "' (expected: each key identifies one consumer, once)");
          }
        }
        hashes.add(hash);
        identities.add(identity);
        owners.add(consumer.name());
      }
    }
    return new KeyTable(hashes.toArray(byte[][]::new), identities.toArray(Identity[]::new));
  }

  /** The identity whose key is {@code key}, or {@code null}. */
  Identity find(String key) {
    byte[] presented = sha256(key);
    int found = -1;
    for (int i = 0; i < hashes.length; i++) {
      // every entry is compared, also after a match: the time does not depend on which one matched
      boolean equal = MessageDigest.isEqual(hashes[i], presented);
      found = equal ? i : found;
    }
    return found < 0 ? null : identities[found];
  }

  int size() {
    return hashes.length;
  }

  static byte[] sha256(String key) {
    MessageDigest digest = SHA_256.get();
    digest.reset();
    return digest.digest(key.getBytes(StandardCharsets.UTF_8));
  }

  /** What is wrong with a plain key, as the end of a sentence; {@code null} when it is fine. */
  static String keyProblem(String key) {
    if (key == null || key.isEmpty()) {
      return "is empty (expected: a key; if it comes from ${NAME}, is that variable set to a value?)";
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        return "contains a space or control character (expected: a key that can be sent in a header)";
      }
    }
    return null;
  }

  static boolean isSha256Hex(String text) {
    if (text == null || text.length() != 64) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (!HexFormat.isHexDigit(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code name} is an HTTP token (RFC 9110), as header names must be. */
  static boolean isToken(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e); // every JVM must provide it
    }
  }
}
