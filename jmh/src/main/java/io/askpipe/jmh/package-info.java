/**
 * JMH benchmarks of the work askpipe does for every ask, and the realistic messages they measure
 * it on; a subpackage per service ({@code ingest}, {@code router}, {@code store}) so that no package
 * is split across modules. {@code ./askpipe jmh [JMH options]} runs them all (docs/benchmarks.md,
 * "Hot paths (JMH)").
 */
package io.askpipe.jmh;
