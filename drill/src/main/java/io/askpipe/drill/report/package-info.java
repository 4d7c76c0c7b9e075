/**
 * What a drill found: its report as data, written as {@code report.json}, and as the text a person
 * reads at the end of a run.
 */
package io.askpipe.drill.report;
