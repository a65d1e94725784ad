package io.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made with the {@code openssl} command line in a folder, at test time: a CA, and
 * leaf certificates it signs. {@link #serverRsa} and {@link #serverEc} create a server
 * certificate ({@code NAME.pem}, PKCS#8 {@code NAME.key}) for the given DNS names (and
 * 127.0.0.1); {@link #client} a client certificate.
 */
public final class TestCertificates {

  private static final String PASSWORD = "test";

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** A new CA ({@code ca.pem}, {@code ca.key}) in {@code dir}. */
  public static TestCertificates newCa(Path dir) throws IOException, InterruptedException {
    TestCertificates certs = new TestCertificates(dir);
    certs.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Sluice Test CA");
    return certs;
  }

  public Path dir() {
    return dir;
  }

  public Path file(String name) {
    return dir.resolve(name);
  }

  /** {@code NAME.pem} / {@code NAME.key} with an RSA 2048 key, CN = the first DNS name. */
  public Path serverRsa(String name, String... dnsNames) throws IOException, InterruptedException {
    return leaf(name, List.of("-newkey", "rsa:2048"), "serverAuth", dnsNames);
  }

  /** {@code NAME.pem} / {@code NAME.key} with an EC P-256 key, CN = the first DNS name. */
  public Path serverEc(String name, String... dnsNames) throws IOException, InterruptedException {
    return leaf(name, List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"), "serverAuth", dnsNames);
  }

  /** {@code NAME.pem} / {@code NAME.key} / {@code NAME.p12} (password {@code test}) of a client with CN {@code cn}. */
  public Path client(String name, String cn) throws IOException, InterruptedException {
    Path pem = leaf(name, List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"), "clientAuth", cn);
    openssl("pkcs12", "-export", "-in", name + ".pem", "-inkey", name + ".key", "-out", name + ".p12", "-passout", "pass:" + PASSWORD);
    return pem;
  }

  private Path leaf(String name, List<String> keyOptions, String usage, String... names) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("req", "-x509"));
    args.addAll(keyOptions);
    StringBuilder san = new StringBuilder("subjectAltName=IP:127.0.0.1");
    for (String dns : names) {
      if (usage.equals("serverAuth")) {
        san.append(",DNS:").append(dns);
      }
    }
    args.addAll(List.of("-nodes", "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + names[0],
        "-CA", "ca.pem", "-CAkey", "ca.key", "-addext", san.toString(), "-addext", "basicConstraints=critical,CA:FALSE",
        "-addext", "extendedKeyUsage=" + usage));
    openssl(args.toArray(String[]::new));
    return dir.resolve(name + ".pem");
  }

  /** Runs {@code openssl ARGS} in the folder and returns its output (stdout and stderr); fails on a non-zero exit. */
  public String openssl(String... args) throws IOException, InterruptedException {
    OpensslRun run = runOpenssl(null, args);
    if (run.exitCode() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed (" + run.exitCode() + "):\n" + run.output());
    }
    return run.output();
  }

  /** The result of one {@code openssl} command. */
  public record OpensslRun(int exitCode, String output) {}

  /** Runs {@code openssl ARGS} in the folder with {@code stdin} as input (none when null). */
  public OpensslRun runOpenssl(String stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    try (var in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.US_ASCII));
      }
    }
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("openssl " + String.join(" ", args) + " did not finish");
    }
    return new OpensslRun(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  public X509Certificate certificate(String pemName) throws Exception {
    try (InputStream in = Files.newInputStream(dir.resolve(pemName))) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** A client TLS context that trusts this CA, presenting {@code clientName}'s certificate when not null. */
  public SSLContext clientContext(String clientName) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", certificate("ca.pem"));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (clientName != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(dir.resolve(clientName + ".p12"))) {
        keys.load(in, PASSWORD.toCharArray());
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, PASSWORD.toCharArray());
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }
}
