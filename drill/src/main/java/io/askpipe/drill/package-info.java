/**
 * {@code askpipe drill}: a chaos drill of a multi-process deployment, from its command line to its
 * verdict, run phase by phase over the stage packages ({@code deploy}, {@code load}, {@code check},
 * {@code report}); and {@code ScaleOut}, which measures worker scale-out on the same deployments.
 */
package io.askpipe.drill;
