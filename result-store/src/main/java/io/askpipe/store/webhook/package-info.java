/**
 * Webhooks: the outbox in PostgreSQL that the sink and the batch events' writer fill, the signing
 * secrets, and the dispatcher that delivers each webhook at least once, signed, to the address the
 * SSRF guard approved. {@link io.askpipe.store.webhook.WebhookDispatcher} is the public front; the
 * claim loop, the attempt, the retry schedule and the pinned HTTP client behind it are
 * package-private.
 */
package io.askpipe.store.webhook;
