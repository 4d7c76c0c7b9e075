/**
 * Benchmarks of askpipe's parts, each a {@code main} that prints what it measured and how
 * ({@code ./askpipe bench NAME} runs {@code io.askpipe.bench.NAME}); the load generator's machinery
 * is in {@code load}, the batch benchmark's in {@code batch}, and {@code profile} reads a JFR
 * recording of a benchmark into the CPU each part of the pipeline took.
 */
package io.askpipe.bench;
