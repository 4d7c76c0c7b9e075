/**
 * How services reach PostgreSQL: connection pools, the Flyway migrations of each service's schema, and the batching of statements by the asks in flight.
 */
package io.askpipe.common.db;
