/**
 * The golden signals: per backend, over the last 1, 5 and 15 minutes, how many asks finished, their
 * p95 latency and their errors, computed in SQL over the asks every instance shares.
 */
package io.askpipe.store.golden;
