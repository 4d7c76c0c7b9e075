/**
 * What a router worker knows of its owners' cancels: every cancel on {@code ask.cancels}, read by
 * every worker, and the asks this worker runs, whose thread a cancel interrupts
 * (docs/adr/0027-cancellation.md).
 */
package io.askpipe.router.cancel;
