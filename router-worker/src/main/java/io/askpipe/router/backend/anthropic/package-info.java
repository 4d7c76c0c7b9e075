/**
 * The {@code anthropic} backend: Anthropic's Messages API, the translation of an OpenAI chat
 * request into its request body and of its answer back into the assistant's reply, and its
 * settings.
 */
package io.askpipe.router.backend.anthropic;
