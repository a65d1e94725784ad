package io.sluice.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who the caller is, as established by an authentication plugin (JWT, API key) and read by
 * the plugins after it (RBAC, rate limiting by consumer, logging). Published under {@link #KEY}.
 *
 * {@snippet :
 * exchange.attributes().put(Identity.KEY, Identity.ofClaims(claims.getSubject(), claims.toJSONObject()));
 * Identity who = exchange.attributes().get(Identity.KEY); // null: nobody authenticated
 * }
 *
 * @param subject the authenticated subject (JWT {@code sub}, or the consumer name for API keys)
 * @param consumer the configured consumer name, or {@code null} when the caller is not a configured consumer
 * @param claims the verified claims (JWT) as JSON-like values (String, Number, Boolean, List, Map); empty otherwise
 * @param roles roles granted directly (an API-key consumer's configured roles); empty otherwise
 * @param authenticatedBy the plugin that established it, e.g. {@code jwt}
 */
public record Identity(String subject, String consumer, Map<String, Object> claims, Set<String> roles, String authenticatedBy) {

  /** The attribute under which the identity of an exchange is shared. */
  public static final AttributeKey<Identity> KEY = AttributeKey.of("identity", Identity.class);

  public Identity {
    Objects.requireNonNull(subject, "subject");
    claims = claims == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(claims));
    roles = roles == null ? Set.of() : java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(roles));
    Objects.requireNonNull(authenticatedBy, "authenticatedBy");
  }
}
