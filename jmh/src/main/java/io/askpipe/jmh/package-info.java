/**
 * JMH benchmarks of the work askpipe does for every ask, and the realistic messages they measure
 * it on. Benchmarks of package-private code sit in that code's package in this module; {@code
 * ./askpipe jmh [JMH options]} runs them all (docs/benchmarks.md, "Hot paths (JMH)").
 */
package io.askpipe.jmh;
