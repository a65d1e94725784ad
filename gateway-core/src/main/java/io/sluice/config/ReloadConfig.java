package io.sluice.config;

import java.time.Duration;

/**
 * The {@code server.reload:} section: whether the gateway reloads its config file by itself when
 * the file changes (besides {@code SIGHUP} and {@code POST /admin/config/reload}, which always work).
 *
 * @param watch whether changes to the config file trigger a reload
 * @param debounce how long the file must stay quiet after a change before it is read, so that an
 *     editor's or a deployment's several writes make one reload
 */
public record ReloadConfig(boolean watch, Duration debounce) {

  public static final ReloadConfig DEFAULTS = new ReloadConfig(false, Duration.ofMillis(500));
}
