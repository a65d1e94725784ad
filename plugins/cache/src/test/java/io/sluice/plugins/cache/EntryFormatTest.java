package io.sluice.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Redis tier's bytes: what goes in comes out, with its age carried on; anything else is refused. */
class EntryFormatTest {

  private static final long SECOND = 1_000_000_000L;

  static StoredResponse entry() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", "text/plain; charset=utf-8");
    headers.put("cache-control", "max-age=100, stale-while-revalidate=20");
    headers.put("etag", "\"v1\"");
    headers.put("vary", "accept-language");
    return new StoredResponse(203, headers, "héllo".getBytes(StandardCharsets.UTF_8), 5 * SECOND, 7, 100,
        CacheControl.parse(List.of(headers.get("cache-control"))), new String[] {"tenant-a", null},
        new String[] {"accept-language"}, new String[] {"en"});
  }

  @Test
  void anEntryComesBackWhole() {
    StoredResponse original = entry();
    byte[] bytes = EntryFormat.encode(original, 1_000_000L, 1_000_500L);

    // read 3.5 s after it arrived (by the wall clock), on an instance whose ticker reads 50 s
    StoredResponse read = EntryFormat.decode(bytes, 50 * SECOND, 1_004_000L);

    assertThat(read.status).isEqualTo(203);
    assertThat(read.headers).containsExactlyEntriesOf(original.headers);
    assertThat(new String(read.body, StandardCharsets.UTF_8)).isEqualTo("héllo");
    assertThat(read.lifetime).isEqualTo(100);
    assertThat(read.control.maxAge).isEqualTo(100);
    assertThat(read.control.staleWhileRevalidate).isEqualTo(20);
    assertThat(read.etag).isEqualTo("\"v1\"");
    assertThat(read.keyValues).containsExactly("tenant-a", null);
    assertThat(read.varyNames).containsExactly("accept-language");
    assertThat(read.varyValues).containsExactly("en");
    assertThat(read.age(50 * SECOND)).isEqualTo(7 + 3);
    assertThat(read.age(51 * SECOND)).isEqualTo(7 + 4);
    assertThat(read.sameVariant(original)).isTrue();
  }

  @Test
  void pragmaNoCacheWithoutCacheControlIsNoCacheAgain() {
    Map<String, String> headers = Map.of("pragma", "no-cache", "etag", "\"x\"");
    StoredResponse entry = new StoredResponse(200, headers, new byte[0], 0, 0, 60, CacheControl.parse(List.of("no-cache")),
        Keys.NO_VALUES, Keys.NO_VALUES, Keys.NO_VALUES);

    StoredResponse read = EntryFormat.decode(EntryFormat.encode(entry, 0, 0), 0, 0);

    assertThat(read.control.noCache).isTrue();
    assertThat(read.keyValues).isEmpty();
  }

  @Test
  void anotherVersionACutEntryAndGarbageAreRefused() {
    byte[] bytes = EntryFormat.encode(entry(), 0, 0);
    byte[] nextVersion = bytes.clone();
    nextVersion[2] = (byte) (EntryFormat.VERSION + 1);
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    byte[] hugeLength = bytes.clone();
    hugeLength[bytes.length - "héllo".getBytes(StandardCharsets.UTF_8).length - 4] = 0x7f; // the body's length

    assertThat(EntryFormat.decode(bytes, 0, 0)).isNotNull();
    assertThat(EntryFormat.decode(nextVersion, 0, 0)).isNull();
    assertThat(EntryFormat.decode(Arrays.copyOf(bytes, bytes.length - 1), 0, 0)).isNull();
    assertThat(EntryFormat.decode(longer, 0, 0)).isNull();
    assertThat(EntryFormat.decode(hugeLength, 0, 0)).isNull();
    assertThat(EntryFormat.decode("not an entry".getBytes(StandardCharsets.UTF_8), 0, 0)).isNull();
    assertThat(EntryFormat.decode(new byte[0], 0, 0)).isNull();
  }

  @Test
  void eachVariantHasItsOwnField() {
    StoredResponse en = entry();
    StoredResponse de = new StoredResponse(200, en.headers, en.body, 0, 0, 100, en.control, en.keyValues, en.varyNames,
        new String[] {"de"});
    StoredResponse noTenant = new StoredResponse(200, en.headers, en.body, 0, 0, 100, en.control, new String[] {null, null},
        en.varyNames, en.varyValues);

    assertThat(EntryFormat.variantField(en)).isEqualTo(EntryFormat.variantField(entry()));
    assertThat(EntryFormat.variantField(en)).isNotEqualTo(EntryFormat.variantField(de));
    assertThat(EntryFormat.variantField(en)).isNotEqualTo(EntryFormat.variantField(noTenant));
  }
}
