package io.sluice.plugins.rbac;

import io.sluice.plugintest.TestExchange;
import io.sluice.spi.Identity;

/** Requests as rbac sees them: a method, a path and who an earlier plugin said the caller is. */
final class Requests {

  private Requests() {}

  /** {@code method path}, authenticated as {@code identity} ({@code null}: nobody authenticated). */
  static TestExchange of(String method, String path, Identity identity) {
    return TestExchange.request(method, path).requestId("req-1").attribute(Identity.KEY, identity);
  }
}
