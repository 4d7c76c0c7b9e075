/**
 * The consumer loop of {@code ask.requests} and {@code ask.requests.batch}: out-of-order completion
 * with the committed offset per partition at the lowest ask still in flight, which waiting ask
 * starts next (interactive first, batch with its share), pausing, rebalances, and the dead-letter
 * topic for records that do not read.
 */
package io.askpipe.router.consume;
