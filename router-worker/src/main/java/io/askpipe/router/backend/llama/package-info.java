/**
 * The {@code llama} backend: an Ollama server's chat API, the mapping of an ask to its wire format
 * and of its answer back, and its settings.
 */
package io.askpipe.router.backend.llama;
