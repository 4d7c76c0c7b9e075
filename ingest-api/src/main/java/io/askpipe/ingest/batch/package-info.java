/**
 * OpenAI-format batches run as asks (docs/adr/0030-batches-as-asks.md): their settings and their
 * running parts; the routes, the runner, the store, the input and the output files live in the
 * packages below.
 */
package io.askpipe.ingest.batch;
