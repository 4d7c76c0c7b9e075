/**
 * The join: the Kafka Streams topology that joins each result and progress record back to its ask
 * and emits the joined ask to {@code ask.joined}, with the helpers that let the Streams application
 * start cleanly after a crash.
 */
package io.askpipe.store.join;
