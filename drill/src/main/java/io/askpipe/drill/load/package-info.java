/**
 * The drill's side of the traffic: the clients that submit asks, the batch it uploads and follows,
 * the OpenAI-compatible LLM server the workers call, and the webhook receiver; each counts what it
 * sent or received.
 */
package io.askpipe.drill.load;
