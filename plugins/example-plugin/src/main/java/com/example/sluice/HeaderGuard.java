package com.example.sluice;

import io.sluice.spi.AttributeKey;
import io.sluice.spi.Decision;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.Exchange;
import io.sluice.spi.GatewayError;
import io.sluice.spi.Outcome;
import io.sluice.spi.Plugin;
import io.sluice.spi.Response;
import java.util.List;
import java.util.Set;

/**
 * The guard of one route. The hooks run on event loops, several at once, and never block: they
 * read what {@link HeaderGuardPluginFactory#create} prepared, and the only shared state they
 * write is {@link GuardCounts}, which is thread-safe. Per-request state goes on the exchange's
 * attributes, never in a field.
 */
final class HeaderGuard implements Plugin {

  /** What this guard decided for an exchange. Package-private: no other plugin needs it. */
  enum Verdict { ACCEPTED, REJECTED }

  static final AttributeKey<Verdict> VERDICT = AttributeKey.of("example_header_guard.verdict", Verdict.class);

  private final String requiredHeader;
  private final Set<String> allowedValues;
  private final String tagHeader;
  private final String tagValue;
  private final GuardCounts counts;
  // Built once: a rejection allocates nothing. The message goes to the client, the details
  // only to the operator's access log.
  private final Decision missing;
  private final Decision repeated;
  private final Decision notAllowed;

  HeaderGuard(HeaderGuardConfig config, GuardCounts counts) {
    this.requiredHeader = config.requiredHeader();
    this.allowedValues = Set.copyOf(config.allowedValues());
    this.tagHeader = config.tagHeader();
    this.tagValue = config.tagValue();
    this.counts = counts;
    this.missing = reject("Missing header " + requiredHeader, "missing");
    this.repeated = reject("Header " + requiredHeader + " must be sent once", "repeated");
    this.notAllowed = reject("Header " + requiredHeader + " has a value that is not allowed", "not_allowed");
  }

  private Decision reject(String message, String reason) {
    return Decision.reply(GatewayError.of(ErrorCode.BAD_REQUEST, message)
        .withDetails("example_header_guard." + reason + " header=" + requiredHeader));
  }

  /** Checks the header; when it passes, tags the request and publishes the value for later plugins. */
  @Override
  public Decision onRequest(Exchange exchange) {
    List<String> values = exchange.requestHeaders().getAll(requiredHeader);
    if (values.size() != 1) {
      exchange.attributes().put(VERDICT, Verdict.REJECTED);
      return values.isEmpty() ? missing : repeated;
    }
    String value = values.get(0);
    if (!allowedValues.isEmpty() && !allowedValues.contains(value)) {
      exchange.attributes().put(VERDICT, Verdict.REJECTED);
      return notAllowed;
    }
    exchange.requestHeaders().set(tagHeader, tag(exchange)); // what is left here is what the upstream gets
    exchange.attributes().put(HeaderGuardPluginFactory.GUARDED_VALUE, value);
    exchange.attributes().put(VERDICT, Verdict.ACCEPTED);
    return Decision.proceed();
  }

  /** Echoes the tag to the client on responses to requests the guard let through. */
  @Override
  public void onResponse(Exchange exchange, Response response) {
    if (exchange.attributes().get(VERDICT) == Verdict.ACCEPTED) {
      response.headers().set(tagHeader, tag(exchange));
    }
  }

  /**
   * Counts the verdict. Runs once for every exchange of the route, including those an earlier
   * plugin answered before this one ran: those have no verdict and are not counted.
   */
  @Override
  public void onComplete(Exchange exchange, Outcome outcome) {
    Verdict verdict = exchange.attributes().get(VERDICT);
    if (verdict == Verdict.ACCEPTED) {
      counts.countAccepted();
    } else if (verdict == Verdict.REJECTED) {
      counts.countRejected();
    }
  }

  GuardCounts counts() {
    return counts;
  }

  private String tag(Exchange exchange) {
    return tagValue != null ? tagValue : exchange.routeId();
  }
}
