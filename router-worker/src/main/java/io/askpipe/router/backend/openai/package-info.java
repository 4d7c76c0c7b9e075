/** The {@code openai} backend: any OpenAI-compatible Chat Completions API, and its settings. */
package io.askpipe.router.backend.openai;
