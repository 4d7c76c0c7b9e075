/**
 * The read API: {@code GET /v1/ask/{id}} (long polling included), {@code GET /v1/asks}, {@code GET
 * /v1/usage} and the webhook routes, over what the sink wrote. It never reaches into the join.
 */
package io.askpipe.store.api;
