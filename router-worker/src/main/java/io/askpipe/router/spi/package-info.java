/**
 * The contract every LLM backend implements: one call in, a sealed outcome out. Expected failures
 * (an upstream error, a refused request) are outcomes, not exceptions.
 */
package io.askpipe.router.spi;
