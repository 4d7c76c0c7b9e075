/** The {@code llama} backend: an Ollama server's chat API, and its settings. */
package io.askpipe.router.backend.llama;
