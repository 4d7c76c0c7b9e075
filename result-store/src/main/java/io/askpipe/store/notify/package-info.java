/**
 * The PostgreSQL {@code NOTIFY} channels by which the writer tells every result-store instance that an
 * ask finished (wake its long polls) or that a webhook delivery became due.
 */
package io.askpipe.store.notify;
