/**
 * What the JSON backends share: the HTTP exchange and the mapping of every way it can fail to a
 * typed outcome, the refusal of a field a backend cannot honour, the {@code extra} passthrough, and
 * the parsing of their common settings.
 */
package io.askpipe.router.backend.http;
