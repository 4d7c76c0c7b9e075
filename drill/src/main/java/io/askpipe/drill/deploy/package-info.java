/**
 * What a drill runs against: a deployment of supervised service processes on an embedded broker and
 * database, or one already running; the schedule that kills its processes, the sampler of their
 * memory; and the reader of its Kafka cluster.
 */
package io.askpipe.drill.deploy;
