/**
 * What a batch is and how its rows are kept: the batch and its lines in schema {@code ingest}, each
 * move of a batch between statuses, and the settlement of lines by their asks' results.
 */
package io.askpipe.ingest.batch.store;
