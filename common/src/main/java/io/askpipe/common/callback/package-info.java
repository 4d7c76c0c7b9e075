/**
 * The guard against server-side request forgery: which webhook callback URLs askpipe will call, judged at submit and again before every delivery.
 */
package io.askpipe.common.callback;
