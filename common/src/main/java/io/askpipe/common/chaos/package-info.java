/**
 * Seeded chaos mode ({@code CHAOS_MODE}): the fault injector that only wiring (a service's main, the dev stack, the drill) builds.
 */
package io.askpipe.common.chaos;
