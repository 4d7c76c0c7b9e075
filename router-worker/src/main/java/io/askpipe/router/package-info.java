/**
 * The router worker: consumes {@code ask.requests}, resolves each ask's backend from the registry,
 * calls it under a time limit and publishes a standardized {@code AskResult} to {@code ask.results}.
 * Scales out by adding processes to the consumer group.
 */
package io.askpipe.router;
