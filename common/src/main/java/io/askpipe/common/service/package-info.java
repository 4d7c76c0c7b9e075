/**
 * A service's life as a process: its start-up steps, readiness checks, metrics registry, operations port and health probe.
 */
package io.askpipe.common.service;
