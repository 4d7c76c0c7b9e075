/**
 * The router worker's wiring and face: it consumes {@code ask.requests} ({@code consume}), handles
 * each ask end to end ({@code process}), routes it to a backend ({@code route}) called under
 * resilience policies ({@code resilience}, {@code backend}) and publishes a standardized {@code
 * AskResult} to {@code ask.results}. Scales out by adding processes to the consumer group.
 */
package io.askpipe.router;
