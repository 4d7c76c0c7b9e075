/**
 * The load generator behind {@code AskLoad}: the stack in a child process (split across two CPUs on
 * request, its broker and database in a process of their own), the open- and closed-loop HTTP
 * client, the phases with their results and same-run baselines, the targets as data, and one
 * renderer for the summary table and the JSON file.
 */
package io.askpipe.bench.load;
