/**
 * The client commands of {@code ./askpipe}: {@code batch} submits a JSONL file of chat requests as
 * an OpenAI-format batch, shows its progress, downloads its output and error files, lists, shows
 * and cancels batches, over askpipe's HTTP API like any other client.
 */
package io.askpipe.cli;
