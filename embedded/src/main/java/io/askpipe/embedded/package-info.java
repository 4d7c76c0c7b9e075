/**
 * Real infrastructure in-process: a single-node Kafka broker in KRaft mode and a PostgreSQL server,
 * both bound to 127.0.0.1 on free ports. Used by the all-in-one development stack and by every
 * integration test; nothing here is a mock. Beside them, what a program needs of this machine for
 * its child processes: command lines, free ports, directories, and their memory.
 */
package io.askpipe.embedded;
