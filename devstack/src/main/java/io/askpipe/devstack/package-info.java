/**
 * The development stack: a real Kafka broker, a real PostgreSQL and all three askpipe services in
 * one JVM, with one HTTP port that serves both the write and the read routes.
 */
package io.askpipe.devstack;
