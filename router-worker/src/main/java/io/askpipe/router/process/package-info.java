/**
 * One polled ask, end to end: the lookup and keep of its result in {@code router.results} (so a
 * redelivered ask costs no backend call), the call with its progress announcement, the injected
 * worker-crash point, and the publishing of its result, held to the size Kafka takes, to {@code
 * ask.results}. The hourly purge of
 * results past the retention period lives here too.
 */
package io.askpipe.router.process;
