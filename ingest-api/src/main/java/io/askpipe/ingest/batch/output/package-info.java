/** A finished batch's output and error files: each settled line rendered in OpenAI's line format and streamed into storage. */
package io.askpipe.ingest.batch.output;
