/** The one backoff of every infrastructure step askpipe retries until it passes. */
package io.askpipe.common.retry;
