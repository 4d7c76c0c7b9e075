/**
 * The consumer loop of {@code ask.requests}: out-of-order completion with the committed offset per
 * partition at the lowest ask still in flight, pausing at the in-flight bound, rebalances, and the
 * dead-letter topic for records that do not read.
 */
package io.askpipe.router.consume;
