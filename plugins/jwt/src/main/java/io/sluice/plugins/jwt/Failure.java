package io.sluice.plugins.jwt;

import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;

/**
 * Why a request was refused. Each reason's answer is built once: a rejection allocates nothing.
 * Clients get a short sentence and an RFC 6750 {@code WWW-Authenticate} challenge; operators
 * get the {@code jwt.*} detail in the access log. Neither ever contains the token.
 */
enum Failure implements TokenVerifier.Result {
  /** No token at all: the challenge carries no error (RFC 6750 section 3.1). */
  MISSING("jwt.missing", "Authentication required"),
  MULTIPLE("jwt.multiple_tokens", "More than one token was sent"),
  TOO_LARGE("jwt.too_large", "The token is too large"),
  MALFORMED("jwt.malformed", "The token is malformed"),
  UNSIGNED("jwt.unsigned", "The token is not signed"),
  ISSUER_UNKNOWN("jwt.issuer_unknown", "The token's issuer is not trusted"),
  ALGORITHM_NOT_ALLOWED("jwt.algorithm_not_allowed", "The token's signing algorithm is not accepted"),
  UNKNOWN_KID("jwt.unknown_kid", "The token's signing key is unknown"),
  NO_KEY("jwt.no_key", "No key can verify the token"),
  /** More keys than {@link TokenVerifier#MAX_KEYS_PER_TOKEN} could have signed it: none is tried. */
  TOO_MANY_KEYS("jwt.too_many_keys", "The token does not say which key signed it"),
  SIGNATURE_INVALID("jwt.signature_invalid", "The token's signature is invalid"),
  EXPIRY_MISSING("jwt.exp_missing", "The token has no expiry"),
  EXPIRED("jwt.expired", "The token has expired"),
  NOT_YET_VALID("jwt.not_yet_valid", "The token is not valid yet"),
  ISSUED_IN_FUTURE("jwt.iat_in_future", "The token is issued in the future"),
  TOO_OLD("jwt.too_old", "The token is too old"),
  AUDIENCE_MISMATCH("jwt.audience_mismatch", "The token is not meant for this service"),
  CLAIM_MISSING("jwt.claim_missing", "The token lacks a required claim"),
  /** The issuer's keys could not be fetched: not the client's fault, so 503 rather than 401. */
  KEYS_UNAVAILABLE("jwt.keys_unavailable", "The token cannot be verified right now; retry later");

  private final Decision decision;

  Failure(String details, String message) {
    GatewayError error;
    if (details.equals("jwt.keys_unavailable")) {
      error = GatewayError.of(ErrorCode.UPSTREAM_UNAVAILABLE, message).withStatus(503).withSource(GatewayError.Source.GATEWAY);
    } else {
      String challenge = details.equals("jwt.missing")
          ? "Bearer realm=\"sluice\""
          : "Bearer realm=\"sluice\", error=\"invalid_token\", error_description=\"" + message + "\"";
      error = GatewayError.of(ErrorCode.UNAUTHENTICATED, message).withHeader("WWW-Authenticate", challenge);
    }
    this.decision = Decision.reply(error.withDetails(details));
  }

  /** The reply for this reason. */
  Decision decision() {
    return decision;
  }

  /** The operator detail, e.g. {@code jwt.expired}. */
  String details() {
    return ((Decision.Reply) decision).error().details();
  }
}
