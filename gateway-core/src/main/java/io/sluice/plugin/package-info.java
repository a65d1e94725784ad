/**
 * The plugin runtime: finding factories (built in, and jars in plugin folders each in their
 * own class loader), compiling each route's chain once per config, and running it per
 * exchange with the operability every plugin gets for free (enabled, enforce, timers, error
 * handling).
 */
package io.sluice.plugin;
