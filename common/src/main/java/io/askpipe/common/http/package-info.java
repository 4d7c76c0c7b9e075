/**
 * The HTTP plumbing every service shares: the routers and servers, and the one table that turns failures into {@code application/problem+json}.
 */
package io.askpipe.common.http;
