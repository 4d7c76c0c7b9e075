/**
 * The backends a deployment has and the models its callers may name, read alike by ingest and the router.
 */
package io.askpipe.common.catalog;
