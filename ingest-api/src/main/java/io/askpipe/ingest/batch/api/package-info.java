/**
 * The batch routes in OpenAI's dialect: create, retrieve, cancel and list, and the batch object
 * they answer with.
 */
package io.askpipe.ingest.batch.api;
