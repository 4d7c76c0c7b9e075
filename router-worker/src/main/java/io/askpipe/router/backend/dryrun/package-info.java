/**
 * The {@code dryrun} backend: a deterministic, offline echo for development, tests, drills and
 * benchmarks that answers in the shape an ask asks for (JSON, a tool call, a cut-off answer).
 */
package io.askpipe.router.backend.dryrun;
