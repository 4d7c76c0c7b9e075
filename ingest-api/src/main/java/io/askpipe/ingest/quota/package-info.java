/**
 * Per-user quotas at submit: asks a minute, asks in flight and tokens a calendar month, held for
 * every ingest instance together in PostgreSQL, and the reader of {@code ask.results} that tells
 * ingest when its asks finish and what they used (ADR 0029).
 */
package io.askpipe.ingest.quota;
