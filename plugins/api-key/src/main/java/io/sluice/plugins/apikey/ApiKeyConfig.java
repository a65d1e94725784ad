package io.sluice.plugins.apikey;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The config of the {@code api_key} plugin: where the key is read from, who the consumers are and
 * which keys identify them, and what is sent upstream.
 *
 * {@snippet lang=yaml :
 * - api_key:
 *     key_from: header                 # or query
 *     header_name: x-api-key
 *     forward_consumer_header: x-consumer
 *     consumers:
 *       - { name: mobile-app, keys: ["${MOBILE_KEY}"], roles: [user] }
 *       - { name: billing, key_hashes: ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"], roles: [admin] }
 * }
 *
 * @param keyFrom where the key is read from; {@code header} unless set
 * @param headerName the request header with the key ({@code key_from: header}); {@code x-api-key} unless set
 * @param queryParam the query parameter with the key ({@code key_from: query}); {@code api_key} unless set
 * @param consumers the callers that may pass, each with its keys; at least one
 * @param forwardConsumerHeader a request header set to the consumer's name for the upstream (a header of
 *     that name from the client is always removed), or {@code null} for none
 * @param stripKey whether the key is removed before the request goes upstream; {@code true} unless set,
 *     and only possible for {@code key_from: header}
 */
public record ApiKeyConfig(
    KeyFrom keyFrom,
    String headerName,
    String queryParam,
    List<Consumer> consumers,
    String forwardConsumerHeader,
    Boolean stripKey) {

  /** Where the key is read from. */
  public enum KeyFrom {
    /** A request header, {@code header_name}. */
    HEADER,
    /** A query parameter, {@code query_param}. */
    QUERY
  }

  /**
   * One caller and the keys that identify it.
   *
   * @param name unique name: the identity's subject and consumer, sent upstream in {@code forward_consumer_header}
   * @param keys keys in plain text (usually {@code ${ENV}} references); kept in memory only as SHA-256 hashes
   * @param keyHashes hex SHA-256 hashes of keys, for keys that should not be in the config at all
   * @param roles roles granted to this consumer (read by {@code rbac}), possibly none
   */
  public record Consumer(String name, List<String> keys, List<String> keyHashes, List<String> roles) {

    public Consumer {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("name: missing (expected: the consumer's name, such as mobile-app)");
      }
      if (keys.isEmpty() && keyHashes.isEmpty()) {
        throw new IllegalArgumentException(
            "consumer '" + name + "' has no keys (expected: keys, key_hashes or both, with at least one key)");
      }
      for (int i = 0; i < keys.size(); i++) {
        String problem = KeyTable.keyProblem(keys.get(i));
        if (problem != null) {
          // the key itself is a secret: name its place, never its value
          throw new IllegalArgumentException("keys[" + i + "] of consumer '" + name + "' " + problem);
        }
      }
      for (int i = 0; i < keyHashes.size(); i++) {
        if (!KeyTable.isSha256Hex(keyHashes.get(i))) {
          throw new IllegalArgumentException("key_hashes[" + i + "] of consumer '" + name + "': '" + keyHashes.get(i)
              + "' (expected: 64 hex digits, the SHA-256 of the key, as printed by `printf %s KEY | sha256sum`)");
        }
      }
      for (String role : roles) {
        if (role == null || role.isBlank()) {
          throw new IllegalArgumentException("roles of consumer '" + name + "': an empty role (expected: role names such as admin)");
        }
      }
    }
  }

  public ApiKeyConfig {
    if (keyFrom == null) {
      keyFrom = KeyFrom.HEADER;
    }
    if (keyFrom == KeyFrom.HEADER && queryParam != null) {
      throw new IllegalArgumentException("query_param: only used with key_from: query (expected: header_name, or key_from: query)");
    }
    if (keyFrom == KeyFrom.QUERY && headerName != null) {
      throw new IllegalArgumentException("header_name: only used with key_from: header (expected: query_param, or key_from: header)");
    }
    if (keyFrom == KeyFrom.QUERY && Boolean.TRUE.equals(stripKey)) {
      throw new IllegalArgumentException("strip_key: true is not possible with key_from: query, because plugins cannot change "
          + "the query string yet (expected: strip_key: false, or key_from: header)");
    }
    headerName = headerName == null ? "x-api-key" : headerName;
    queryParam = queryParam == null ? "api_key" : queryParam;
    stripKey = stripKey == null ? keyFrom == KeyFrom.HEADER : stripKey;
    if (!KeyTable.isToken(headerName)) {
      throw new IllegalArgumentException("header_name: '" + headerName + "' (expected: a header name such as x-api-key)");
    }
    if (queryParam.isEmpty()) {
      throw new IllegalArgumentException("query_param: empty (expected: a query parameter name such as api_key)");
    }
    if (forwardConsumerHeader != null) {
      if (!KeyTable.isToken(forwardConsumerHeader)) {
        throw new IllegalArgumentException(
            "forward_consumer_header: '" + forwardConsumerHeader + "' (expected: a header name such as x-consumer)");
      }
      if (keyFrom == KeyFrom.HEADER && forwardConsumerHeader.equalsIgnoreCase(headerName)) {
        throw new IllegalArgumentException("forward_consumer_header: '" + forwardConsumerHeader
            + "' is also header_name (expected: another header, so the key and the consumer name do not mix)");
      }
    }
    if (consumers.isEmpty()) {
      throw new IllegalArgumentException("consumers: missing (expected: at least one consumer with a name and keys)");
    }
    Set<String> names = new HashSet<>();
    for (Consumer consumer : consumers) {
      if (!names.add(consumer.name())) {
        throw new IllegalArgumentException("consumers: the name '" + consumer.name() + "' is used twice (expected: unique names)");
      }
    }
    KeyTable.of(consumers); // refuses a key given to two consumers
  }
}
