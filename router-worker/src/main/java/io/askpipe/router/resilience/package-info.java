/**
 * The policies one backend call runs under: a time limit per attempt, a circuit breaker per
 * backend, and retries with backoff within the ask's deadline.
 */
package io.askpipe.router.resilience;
