package io.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigLoader;
import io.sluice.config.GatewayConfig;
import io.sluice.config.UpstreamConfig;
import io.sluice.plugin.PluginRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What an upstream's config compiles into when a snapshot is built. */
class UpstreamClusterTest {

  @Test
  void theFullExamplesUpstreamsCompileWithTheirTlsContexts() throws Exception {
    GatewayConfig config = ConfigLoader.load(Path.of("..", "config-examples", "full.yaml"), PluginRegistry.builtIn().catalog());

    UpstreamCluster billing = new UpstreamCluster(config.upstreams().get("billing"));
    UpstreamCluster grpc = new UpstreamCluster(config.upstreams().get("orders-grpc"));

    assertThat(billing.isHttp2()).isTrue();
    assertThat(billing.poolSettings().tls()).isNotNull();
    assertThat(billing.poolSettings().tls().isClient()).isTrue();
    assertThat(billing.poolSettings().tls().applicationProtocolNegotiator().protocols()).containsExactly("h2");
    assertThat(billing.poolSettings().serverName()).isEqualTo("localhost");
    assertThat(grpc.isHttp2()).isTrue();
    assertThat(grpc.config().protocol()).isEqualTo(UpstreamConfig.Protocol.H2C);
    assertThat(grpc.poolSettings().tls()).isNull();
  }
}
