/**
 * Running batches: the loop that leases a batch and takes its next step (validation, the expansion
 * of its lines into asks, their cancel or expiry, the output files, the event); the lines are
 * settled by their asks' results through {@code Batches.settle} (ADR 0033).
 */
package io.askpipe.ingest.batch.run;
