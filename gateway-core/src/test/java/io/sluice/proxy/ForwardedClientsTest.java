package io.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.config.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client IP behind server.trusted_proxies: only trusted peers' forwarding headers count, read from the right. */
class ForwardedClientsTest {

  private static final List<Cidr> TRUSTED = List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"));

  private static HttpHeaders headers(String... nameValues) {
    HttpHeaders headers = new DefaultHttpHeaders();
    for (int i = 0; i < nameValues.length; i += 2) {
      headers.add(nameValues[i], nameValues[i + 1]);
    }
    return headers;
  }

  @Test
  void anUntrustedPeersForwardingHeadersNeverChangeTheClient() {
    HttpHeaders spoofed = headers("X-Forwarded-For", "1.2.3.4", "Forwarded", "for=5.6.7.8");

    assertThat(ForwardedClients.clientIp("203.0.113.9", false, spoofed, TRUSTED)).isEqualTo("203.0.113.9");
  }

  @Test
  void aTrustedPeerNamesTheFirstUntrustedHopFromTheRight() {
    HttpHeaders chain = headers("X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.1.2.3");

    assertThat(ForwardedClients.clientIp("10.0.0.5", true, chain, TRUSTED)).isEqualTo("198.51.100.7");
  }

  @Test
  void severalForwardedForFieldsReadAsOneList() {
    HttpHeaders chain = headers("X-Forwarded-For", "6.6.6.6", "X-Forwarded-For", "198.51.100.7:4711, 10.1.2.3");

    assertThat(ForwardedClients.clientIp("10.0.0.5", true, chain, TRUSTED)).isEqualTo("198.51.100.7");
  }

  @Test
  void forwardedIsReadWhenThereIsNoXForwardedFor() {
    HttpHeaders chain = headers("Forwarded", "for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\"",
        "Forwarded", "for=10.9.9.9;by=10.0.0.1");

    assertThat(ForwardedClients.clientIp("10.0.0.5", true, chain, TRUSTED)).isEqualTo("2001:db8:cafe::17");
  }

  @Test
  void aHopThatIsNotAnAddressEndsTheWalkAtTheLastTrustedOne() {
    HttpHeaders chain = headers("X-Forwarded-For", "1.2.3.4, unknown, 10.1.2.3");

    assertThat(ForwardedClients.clientIp("10.0.0.5", true, chain, TRUSTED)).isEqualTo("10.1.2.3");
  }

  @Test
  void aTrustedPeerWithoutForwardingHeadersIsTheClient() {
    assertThat(ForwardedClients.clientIp("10.0.0.5", true, headers(), TRUSTED)).isEqualTo("10.0.0.5");
  }

  @Test
  void whenEveryHopIsTrustedTheFarthestIsTheClient() {
    assertThat(ForwardedClients.clientIp("10.0.0.5", true, headers("X-Forwarded-For", "10.7.7.7, fd00::1"), TRUSTED))
        .isEqualTo("10.7.7.7");
  }

  @Test
  void addressesAreReadWithPortsAndBrackets() {
    assertThat(ForwardedClients.address("1.2.3.4:80")).isEqualTo("1.2.3.4");
    assertThat(ForwardedClients.address("[::1]:80")).isEqualTo("0:0:0:0:0:0:0:1".equals(ForwardedClients.address("::1")) ? "0:0:0:0:0:0:0:1" : "::1");
    assertThat(ForwardedClients.address("2001:DB8::1")).isEqualTo("2001:db8::1");
    assertThat(ForwardedClients.address("example.com")).isNull();
    assertThat(ForwardedClients.address("_hidden")).isNull();
  }
}
