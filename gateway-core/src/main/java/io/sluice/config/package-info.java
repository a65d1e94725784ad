/**
 * YAML configuration: parsing, validation and the immutable records it produces.
 *
 * <p>Every mistake in a config file is reported as a {@link io.sluice.config.ConfigProblem}
 * with file, line, column and the path into the document; all problems of a file are
 * collected before {@link io.sluice.config.ConfigException} is thrown. Records in this
 * package are validated and immutable; their components are never {@code null} unless
 * their javadoc says so.
 */
package io.sluice.config;
