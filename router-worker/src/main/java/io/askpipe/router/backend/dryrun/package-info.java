/** The {@code dryrun} backend: a deterministic echo for development, tests, drills and benchmarks. */
package io.askpipe.router.backend.dryrun;
