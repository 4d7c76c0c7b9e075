/**
 * Webhooks of batches: the store's consumer group on {@code ask.batch.events} adds one delivery per
 * event to the webhook outbox, with OpenAI's webhook event as its body; the webhook dispatcher then
 * delivers it as it delivers an ask's. {@link io.askpipe.store.batch.BatchEventWriter} is the front.
 */
package io.askpipe.store.batch;
