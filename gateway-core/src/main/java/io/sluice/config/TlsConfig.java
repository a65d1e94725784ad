package io.sluice.config;

import java.nio.file.Path;
import java.util.List;

/**
 * TLS termination on a listener. Files are absolute paths, checked at load time: readable, PEM,
 * and each key matching its certificate. They are read again when the listener starts.
 *
 * @param cert PEM certificate chain, leaf first; served for unknown or missing SNI names
 * @param key PEM PKCS#8 private key of {@code cert} (RSA or EC)
 * @param protocols enabled TLS versions, a subset of {@code TLSv1.3} and {@code TLSv1.2}
 * @param ciphers cipher suites (JDK names); empty means the provider's secure defaults
 * @param clientAuth whether clients are asked for a certificate
 * @param clientCa PEM bundle of the CAs trusted to sign client certificates; {@code null} when
 *     {@code clientAuth} is {@link ClientAuth#NONE}
 * @param sni certificates served for specific server names, in document order
 */
public record TlsConfig(
    Path cert,
    Path key,
    List<String> protocols,
    List<String> ciphers,
    ClientAuth clientAuth,
    Path clientCa,
    List<SniCertificate> sni) {

  /** The versions enabled when {@code protocols} is not given, newest first. */
  public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  public TlsConfig {
    protocols = List.copyOf(protocols);
    ciphers = List.copyOf(ciphers);
    sni = List.copyOf(sni);
  }

  /** Whether the gateway asks clients for a certificate, and whether it insists. */
  public enum ClientAuth {
    /** No certificate is requested. */
    NONE,
    /** A certificate is requested; a client without one still connects. A certificate sent must verify. */
    OPTIONAL,
    /** A client without a certificate signed by {@code client_ca} fails the handshake. */
    REQUIRE
  }
}
