/** Benchmarks of askpipe's parts, each a {@code main} that prints what it measured and how. */
package io.askpipe.bench;
