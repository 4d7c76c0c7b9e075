/**
 * The messages askpipe exchanges (asks, results, problems), the registry of its Kafka topics and
 * the Jackson serdes that put them on the wire. Every module depends on this package; it depends
 * on no other askpipe module.
 */
package io.askpipe.schemas;
