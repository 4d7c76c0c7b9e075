/**
 * The batch benchmark behind {@code BatchLoad}: a batch of the Batches API from upload to its
 * output file on the drill's multi-process deployment, interactive asks beside it and without it,
 * and each service's memory sampled and attributed to the phase it was taken in.
 */
package io.askpipe.bench.batch;
