/**
 * Fault injection as services see it: the places a fault may strike, and the {@link
 * io.askpipe.common.fault.FaultInjector} they ask, a no-op in production.
 */
package io.askpipe.common.fault;
