/**
 * Webhooks: the outbox in PostgreSQL that the sink fills, the signing secrets, and the dispatcher
 * that delivers each webhook at least once, signed, to the address the SSRF guard approved.
 */
package io.askpipe.store.webhook;
