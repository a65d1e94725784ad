package io.sluice.benchmarks;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.plugin.PluginRegistry;
import io.sluice.proxy.ExchangeView;
import io.sluice.proxy.RequestHead;
import io.sluice.routing.PathParams;
import io.sluice.spi.Decision;
import io.sluice.spi.Plugin;
import io.sluice.spi.PluginContext;
import io.sluice.spi.PluginFactory;
import io.sluice.spi.Ticker;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The jwt plugin's onRequest for one valid bearer token: a cache miss pays for the signature
 * check ({@code cache_size: 0}), a hit only for hashing the token and checking its expiry.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JwtBenchmark {

  private static final String ISSUER = "https://idp.bench.test";

  @Param({"RS256", "ES256", "HS256"})
  String algorithm;

  @Param({"hit", "miss"})
  String cache;

  private Plugin plugin;
  private ExchangeView exchange;

  @Setup
  public void setUp() throws Exception {
    JWSSigner signer;
    String keys;
    switch (algorithm) {
      case "RS256" -> {
        RSAKey key = new RSAKeyGenerator(2048).keyID("rsa").generate();
        signer = new RSASSASigner(key);
        keys = "jwks: '" + new JWKSet(key.toPublicJWK()).toString() + "'";
      }
      case "ES256" -> {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
        signer = new ECDSASigner(key);
        keys = "jwks: '" + new JWKSet(key.toPublicJWK()).toString() + "'";
      }
      default -> {
        byte[] secret = new byte[48];
        new SecureRandom().nextBytes(secret);
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        signer = new MACSigner(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        keys = "secrets: [ \"" + text + "\" ]";
      }
    }
    String yaml = """
        server:
          listeners: [ { name: bench, port: 0 } ]
        routes:
          - id: bench
            match: { path: /** }
            respond: { status: 200 }
            plugins:
              - jwt:
                  cache_size: %d
                  issuers:
                    - issuer: "%s"
                      audiences: [ bench-api ]
                      algorithms: [ %s ]
                      %s
        """.formatted(cache.equals("hit") ? 1000 : 0, ISSUER, algorithm, keys);
    PluginRegistry registry = PluginRegistry.builtIn();
    GatewayConfig config = ConfigLoader.parse(yaml, "bench.yaml", name -> null, registry.catalog());
    @SuppressWarnings({"unchecked", "rawtypes"})
    PluginFactory<Record> factory = (PluginFactory) registry.get("jwt").factory();
    plugin = factory.create(config.routes().get(0).plugins().get(0).config(), new PluginContext() {
      public String routeId() { return "bench"; }
      public Ticker ticker() { return Ticker.SYSTEM; }
      public Optional<Plugin> previous() { return Optional.empty(); }
      public System.Logger logger() { return System.getLogger("jwt-bench"); }
    });

    SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.parse(algorithm))
        .keyID(algorithm.startsWith("HS") ? null : algorithm.startsWith("RS") ? "rsa" : "ec").build(),
        new JWTClaimsSet.Builder().issuer(ISSUER).audience("bench-api").subject("alice").issueTime(new Date())
            .expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).build());
    token.sign(signer);
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set("authorization", "Bearer " + token.serialize());
    exchange = new ExchangeView(new RequestHead(HttpMethod.GET, "http", "api.bench.test", "api.bench.test", "/orders",
        null, headers, false, -1), "01BENCH", "bench", PathParams.EMPTY, "127.0.0.1");
    if (plugin.onRequest(exchange) != Decision.proceed()) {
      throw new IllegalStateException("the benchmark token was not accepted");
    }
  }

  @Benchmark
  public Decision verify() {
    return plugin.onRequest(exchange);
  }
}
