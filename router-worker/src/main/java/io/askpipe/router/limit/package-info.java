/**
 * Provider limits shared by every router worker: requests and tokens per minute (Bucket4j buckets in
 * PostgreSQL), concurrent calls (advisory locks) and the pauses a provider's 429 asks for, with a
 * fair local queue in front of them so that an ask over a limit waits, never fails (docs/adr/0026).
 */
package io.askpipe.router.limit;
