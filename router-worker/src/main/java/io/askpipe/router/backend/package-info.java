/**
 * The contract every LLM backend implements, one call in and a sealed outcome out. Expected failures (an upstream error, a refused request) are
 * outcomes, not exceptions; each vendor's backend lives in a subpackage of its own.
 */
package io.askpipe.router.backend;
