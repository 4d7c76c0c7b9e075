/**
 * Publishing an accepted ask to {@code ask.requests}, and telling a publish that can never succeed from one worth retrying.
 */
package io.askpipe.ingest.publish;
