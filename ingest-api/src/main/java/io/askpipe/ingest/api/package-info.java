/**
 * The write routes: {@code POST /v1/ask} authenticated, validated, claimed, published and answered {@code 202} within the publish timeout.
 */
package io.askpipe.ingest.api;
