/**
 * Typed, validated reads of the environment: every setting of every service is read here, and a bad value names its variable.
 */
package io.askpipe.common.config;
