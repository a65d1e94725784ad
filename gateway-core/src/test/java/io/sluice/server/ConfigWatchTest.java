package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.sluice.config.ReloadConfig;
import io.sluice.testing.Gateway;
import io.sluice.testing.Poll;
import io.sluice.testing.TestCertificates;
import java.security.cert.X509Certificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.reload.watch}: the ways files are replaced in practice, each followed by one reload. */
class ConfigWatchTest {

  private static final Duration DEBOUNCE = Duration.ofMillis(100);

  private static String config(String version, boolean watch) {
    return """
        server:
          listeners: [ { name: test, bind: 127.0.0.1, port: 0 } ]
          reload: { watch: %s, debounce: 100ms }
        routes:
          - { id: version, match: { path: /version }, respond: { status: 200, body: "%s" } }
        """.formatted(watch, version);
  }

  /** The gateway started from {@code v0}, and its reloads of {@code file}, watching it. */
  private record Watched(Gateway gateway, ConfigReloads reloads) implements AutoCloseable {

    static Watched start(Path file) throws Exception {
      Gateway gateway = Gateway.start(config("v0", true), Map.of());
      ConfigReloads reloads = new ConfigReloads(gateway.server(), file, gateway.plugins().catalog());
      reloads.watch(new ReloadConfig(true, DEBOUNCE)).get();
      return new Watched(gateway, reloads);
    }

    void answers(String version) throws Exception {
      Poll.until("/version answers " + version, () -> version.equals(body()), () -> "answers " + body());
    }

    String body() {
      try {
        return gateway.send("GET", "/version").body();
      } catch (Exception e) {
        return e.toString();
      }
    }

    double reloads(String result) {
      Counter counter = gateway.server().meters().find("sluice.config.reloads").tag("result", result).counter();
      return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
      reloads.close();
      gateway.close();
    }
  }

  @Test
  void anEditInPlaceIsReloaded(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("sluice.yaml"), config("v0", true));
    try (Watched watched = Watched.start(file)) {
      Files.writeString(file, config("v1", true));
      watched.answers("v1");
      Poll.until("the reload recorded", () -> watched.reloads.last() != null); // recorded just after the swap
      assertThat(watched.reloads.last().trigger()).isEqualTo("watch");
    }
  }

  @Test
  void aNewFileRenamedOverTheOldOneIsReloaded(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("sluice.yaml"), config("v0", true));
    try (Watched watched = Watched.start(file)) {
      for (int version = 1; version <= 3; version++) {
        Path written = Files.writeString(dir.resolve(".sluice.yaml.swp"), config("v" + version, true));
        Files.move(written, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        watched.answers("v" + version);
      }
    }
  }

  /** The layout the kubelet makes: sluice.yaml -> ..data/sluice.yaml, ..data -> ..TIMESTAMP, swapped by rename. */
  @Test
  void aKubernetesConfigMapUpdateIsReloaded(@TempDir Path dir) throws Exception {
    Path first = Files.createDirectory(dir.resolve("..2026_12_07_10_00_00.1"));
    Files.writeString(first.resolve("sluice.yaml"), config("v0", true));
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Path file = Files.createSymbolicLink(dir.resolve("sluice.yaml"), Path.of("..data/sluice.yaml"));
    try (Watched watched = Watched.start(file)) {
      Path previous = first;
      for (int version = 1; version <= 3; version++) {
        Path next = Files.createDirectory(dir.resolve("..2026_12_07_10_00_0" + version + ".1"));
        Files.writeString(next.resolve("sluice.yaml"), config("v" + version, true));
        Path link = Files.createSymbolicLink(dir.resolve("..data_tmp"), next.getFileName());
        Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(previous.resolve("sluice.yaml"));
        Files.delete(previous);
        previous = next;
        watched.answers("v" + version);
      }
      assertThat(watched.reloads("success")).isEqualTo(3);
    }
  }

  @Test
  void aSymlinkToAFileElsewhereIsFollowedAndRetargeted(@TempDir Path dir) throws Exception {
    Path real = Files.createDirectory(dir.resolve("real"));
    Path config = Files.writeString(real.resolve("gateway.yaml"), config("v0", true));
    Path file = Files.createSymbolicLink(Files.createDirectory(dir.resolve("etc")).resolve("sluice.yaml"), config);
    try (Watched watched = Watched.start(file)) {
      Files.writeString(config, config("v1", true));
      watched.answers("v1");

      Path other = Files.writeString(real.resolve("other.yaml"), config("v2", true));
      Path link = Files.createSymbolicLink(dir.resolve("etc").resolve("new-link"), other);
      Files.move(link, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      watched.answers("v2");

      Files.writeString(other, config("v3", true)); // the new target is the one watched now
      watched.answers("v3");
    }
  }

  @Test
  void severalQuickWritesMakeOneReload(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("sluice.yaml"), config("v0", true));
    try (Watched watched = Watched.start(file)) {
      String half = config("v1", true);
      Files.writeString(file, half.substring(0, half.length() / 2)); // a writer caught halfway would fail to parse
      Files.writeString(file, half);
      watched.answers("v1");
      assertThat(watched.reloads("failure")).isZero();
      assertThat(watched.reloads("success")).isEqualTo(1);
    }
  }

  @Test
  void aTouchOrAnUnchangedRewriteDoesNotReload(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("sluice.yaml"), config("v0", true));
    try (Watched watched = Watched.start(file)) {
      long checked = watched.reloads.filesChecked();
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
      Poll.until("the touch seen", () -> watched.reloads.filesChecked() > checked);

      long rewritten = watched.reloads.filesChecked();
      Files.writeString(file, config("v0", true));
      Poll.until("the rewrite seen", () -> watched.reloads.filesChecked() > rewritten);

      assertThat(watched.reloads("success") + watched.reloads("failure")).isZero();
    }
  }

  @Test
  void aBrokenFileIsReportedOnceAndTheFixIsReloaded(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("sluice.yaml"), config("v0", true));
    try (Watched watched = Watched.start(file)) {
      String broken = config("v1", true).replace("status: 200", "status: 2000");
      Files.writeString(file, broken);
      Poll.until("the failure reported", () -> watched.reloads("failure") == 1);
      assertThat(watched.reloads.last().problems()).singleElement().asString().contains("status");

      long checked = watched.reloads.filesChecked();
      Files.writeString(file, broken); // saved again unchanged: not reported again
      Poll.until("the second save seen", () -> watched.reloads.filesChecked() > checked);
      assertThat(watched.reloads("failure")).isEqualTo(1);
      assertThat(watched.body()).isEqualTo("v0");

      Files.writeString(file, config("v1", true));
      watched.answers("v1");
    }
  }

  @Test
  void aReloadThatTurnsWatchingOnStartsIt(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("sluice.yaml"), config("v0", false));
    try (Gateway gateway = Gateway.start(config("v0", false), Map.of());
        ConfigReloads reloads = new ConfigReloads(gateway.server(), file, gateway.plugins().catalog())) {
      reloads.watch(new ReloadConfig(false, DEBOUNCE)).get();
      Files.writeString(file, config("v1", true));
      assertThat(reloads.reload("SIGHUP").get().success()).isTrue();

      Files.writeString(file, config("v2", true));
      Poll.until("v2 answered", () -> {
        try {
          return gateway.send("GET", "/version").body().equals("v2");
        } catch (Exception e) {
          return false;
        }
      });
      Poll.until("the reload recorded", () -> "watch".equals(reloads.last().trigger()));
    }
  }

  @Test
  void aRotatedCertificateIsServedToNewConnectionsWithoutASignal(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.newCa(dir);
    certs.serverRsa("server", "first.example.com");
    String yaml = """
        server:
          listeners:
            - { name: secure, bind: 127.0.0.1, port: 0, tls: { cert: "${DIR}/server.pem", key: "${DIR}/server.key" } }
          reload: { watch: true, debounce: 100ms }
        routes:
          - { id: hello, match: { path: /hello }, respond: { status: 200, body: "hi" } }
        """;
    Path file = Files.writeString(dir.resolve("sluice.yaml"), yaml.replace("${DIR}", dir.toString()));
    try (Gateway gateway = Gateway.start(yaml, Map.of("DIR", dir.toString()));
        ConfigReloads reloads = new ConfigReloads(gateway.server(), file, gateway.plugins().catalog())) {
      reloads.watch(new ReloadConfig(true, DEBOUNCE)).get();
      assertThat(servedName(gateway.port())).isEqualTo("CN=first.example.com");

      // a new certificate and key, each moved into place: for a moment the key does not match the certificate
      certs.serverRsa("next", "second.example.com");
      Files.move(dir.resolve("next.pem"), dir.resolve("server.pem"), StandardCopyOption.ATOMIC_MOVE);
      Files.move(dir.resolve("next.key"), dir.resolve("server.key"), StandardCopyOption.ATOMIC_MOVE);

      Poll.until("the new certificate served", () -> "CN=second.example.com".equals(servedName(gateway.port())),
          () -> "serves " + servedName(gateway.port()) + ", last reload " + reloads.last());
    }
  }

  /** The subject of the certificate a new TLS connection to {@code port} is served. */
  private static String servedName(int port) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, null);
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
        socket.startHandshake();
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
      }
    } catch (Exception e) {
      return e.toString();
    }
  }

  @Test
  void theWatchedFoldersFollowEveryLinkOnTheWay(@TempDir Path dir) throws Exception {
    Path first = Files.createDirectory(dir.resolve("..v1"));
    Files.writeString(first.resolve("sluice.yaml"), "x");
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Path file = Files.createSymbolicLink(dir.resolve("sluice.yaml"), Path.of("..data/sluice.yaml"));

    Map<Path, Set<String>> watched = ConfigWatcher.foldersAndNames(file);

    assertThat(watched.get(dir)).contains("sluice.yaml", "..data");
    assertThat(watched.get(dir.resolve("..data"))).contains("sluice.yaml");
    assertThat(watched.get(first)).contains("sluice.yaml");
  }
}
