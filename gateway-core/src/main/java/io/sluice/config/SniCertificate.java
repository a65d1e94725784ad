package io.sluice.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A certificate served to clients that ask for one of {@code serverNames} (TLS SNI).
 *
 * @param serverNames lower-case host names; {@code *.example.com} matches one label under example.com
 * @param cert PEM certificate chain, leaf first
 * @param key PEM PKCS#8 private key of {@code cert}
 */
public record SniCertificate(List<String> serverNames, Path cert, Path key) {

  public SniCertificate {
    serverNames = List.copyOf(serverNames);
  }
}
