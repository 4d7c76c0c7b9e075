/** Benchmarks of the result store's hot path: signing a webhook. */
package io.askpipe.jmh.store;
