package io.sluice.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a {@code List} or {@code Set} component of a plugin's config record: the YAML may also write a
 * single value, which binds as a list of one. Without it a single value where a list is expected
 * is a config mistake (usually a slip); with it, {@code key: client_ip} and
 * {@code key: [claim:tenant, route]} both bind.
 *
 * {@snippet :
 * public record Config(@OneOrMore List<String> key) {}
 * }
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface OneOrMore {}
