/**
 * Plumbing every askpipe service shares and none owns: typed configuration from the environment,
 * topic provisioning from the registry, the one table that maps failures to problem responses, and
 * the HTTP and metrics endpoints.
 */
package io.askpipe.common;
