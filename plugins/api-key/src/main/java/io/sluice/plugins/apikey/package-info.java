/**
 * The {@code api_key} plugin. Only {@link io.sluice.plugins.apikey.ApiKeyPluginFactory} and its
 * config record are public. Nothing is {@code null} unless its javadoc says so.
 */
package io.sluice.plugins.apikey;
