/**
 * Users' files, OpenAI's Files API: stored in PostgreSQL in chunks of 1 MiB, written and read as
 * streams so that no file is ever whole in a heap, served to their owner only, and purged once
 * expired, deleted or abandoned.
 */
package io.askpipe.ingest.files;
