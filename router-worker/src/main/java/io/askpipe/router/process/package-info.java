/**
 * One polled ask, end to end: the lookup and keep of its result in {@code router.results} (so a
 * redelivered ask costs no backend call), the call with its progress announcement, and the
 * publishing of the result to {@code ask.results}.
 */
package io.askpipe.router.process;
