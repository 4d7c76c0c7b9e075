/** Benchmarks of the router's hot path: resolving an ask's route on the default model patterns. */
package io.askpipe.jmh.router;
