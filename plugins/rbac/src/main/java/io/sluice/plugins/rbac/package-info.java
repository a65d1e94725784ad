/**
 * The {@code rbac} plugin. Only {@link io.sluice.plugins.rbac.RbacPluginFactory} and its config
 * record are public. Nothing is {@code null} unless its javadoc says so.
 */
package io.sluice.plugins.rbac;
