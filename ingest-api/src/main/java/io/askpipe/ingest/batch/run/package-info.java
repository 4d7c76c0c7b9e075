/**
 * Running batches: the loop that leases a batch and takes its next step (validation, the expansion
 * of its lines into asks, their cancel or expiry, the output files, the event), and the consumer
 * group that settles lines by their asks' results.
 */
package io.askpipe.ingest.batch.run;
