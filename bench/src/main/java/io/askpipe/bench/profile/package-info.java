/**
 * The CPU profile behind {@code CpuProfile}: a JFR recording's execution samples charged to the
 * pipeline's parts by their threads' names and stacks, each part's libraries, and the JVM's CPU
 * the samples do not see (garbage collection, JIT compilation).
 */
package io.askpipe.bench.profile;
