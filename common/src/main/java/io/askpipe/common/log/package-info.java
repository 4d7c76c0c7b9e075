/**
 * Structured logs: the fields every line of an ask carries, the logging settings, and the converters that keep a logged value from forging a line.
 */
package io.askpipe.common.log;
