/**
 * Routing an ask to a backend: the route within the backend catalog, the registry of configured
 * backends with the settings they are built from, and the handler that walks a route's fallback chain into a standardized result.
 */
package io.askpipe.router.route;
