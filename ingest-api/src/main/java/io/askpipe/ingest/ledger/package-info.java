/**
 * The durable idempotency ledger in PostgreSQL, where an ask is claimed by its key before it is published, and its recovery, which publishes asks their requests abandoned.
 */
package io.askpipe.ingest.ledger;
