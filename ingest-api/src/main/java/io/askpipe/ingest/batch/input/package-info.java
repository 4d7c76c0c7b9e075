/**
 * A batch's input file read as a stream of JSON lines: each line judged as a request of the batch,
 * the whole file validated once, and read on from a checkpoint a chunk at a time.
 */
package io.askpipe.ingest.batch.input;
