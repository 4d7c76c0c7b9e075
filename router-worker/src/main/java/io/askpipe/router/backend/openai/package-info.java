/**
 * The {@code openai} backend: any OpenAI-compatible Chat Completions API, the request it sends and
 * the answer it reads, and its settings.
 */
package io.askpipe.router.backend.openai;
