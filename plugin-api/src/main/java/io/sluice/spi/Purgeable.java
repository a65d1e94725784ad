package io.sluice.spi;

/**
 * A plugin that keeps stored responses operators may remove, such as a cache. The admin API's
 * {@code POST /admin/cache/purge} calls every plugin instance of the current config that implements
 * it (see {@code docs/operations.md}).
 *
 * <p>Entries are named by their target URI as the cache sees it:
 * {@code scheme://host/normalized-path?query}, for example
 * {@code https://api.example.com/v1/users/42?lang=en}. An exact purge removes every entry of that
 * target (all its variants: other request headers in the key, {@code Vary}); a prefix purge removes
 * every entry whose target starts with the text ({@code https://api.example.com/v1/users/}).
 *
 * <p>Called on the admin listener's thread, not an event loop, possibly while requests are served:
 * it must be thread-safe and must not block for long.
 *
 * {@snippet :
 * final class MyCache implements Plugin, Purgeable {
 *   public long purge(String target, boolean prefix) {
 *     return prefix ? store.removeStartingWith(target) : store.removeTarget(target);
 *   }
 * }
 * }
 */
public interface Purgeable {

  /**
   * Removes entries of {@code target}: exactly that target, or, with {@code prefix}, every target
   * that starts with it.
   *
   * @return how many entries were removed
   */
  long purge(String target, boolean prefix);
}
