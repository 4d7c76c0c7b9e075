/**
 * Per-user quotas at submit: asks a minute, asks in flight and tokens a calendar month, held for
 * every ingest instance together in PostgreSQL, and the tally of results that tells ingest when
 * its asks finish and what they used (ADR 0029; read from {@code ask.results} by ingest's group of
 * finished asks, ADR 0033).
 */
package io.askpipe.ingest.quota;
