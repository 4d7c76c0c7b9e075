/**
 * What a result is in OpenAI's dialect: the exact {@code chat.completion} object of a succeeded ask
 * and OpenAI's error object of a failure, rendered here once for every service that answers in it.
 */
package io.askpipe.schemas.completion;
