/**
 * The HTTP exchange the JSON backends share: a POST, and the mapping of every way it can fail to a
 * typed outcome; and the parsing of their common settings.
 */
package io.askpipe.router.backend.http;
