package io.askpipe.ingest.batch.run;

/** A runner's lease of a batch ran out and another took it: the step stops, and the other goes on. */
final class LeaseLost extends RuntimeException {
    LeaseLost(String batchId) {
        super("the lease of batch " + batchId + " is no longer this runner's", null, false, false);
    }
}
