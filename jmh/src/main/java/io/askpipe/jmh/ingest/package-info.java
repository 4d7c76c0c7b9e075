/** Benchmarks of the ingest API's hot paths: the idempotency fingerprint of a submit. */
package io.askpipe.jmh.ingest;
