/**
 * Every environment variable defined once, as a {@link io.askpipe.common.config.Setting} with its
 * type, default, bounds and doc, and read through {@link io.askpipe.common.config.Env}: a bad value
 * names its variable.
 */
package io.askpipe.common.config;
