/**
 * Accounts: users and their API keys, the one thing every client-facing service authenticates
 * against. Keys are stored only as hashes, in PostgreSQL schema {@code auth}.
 */
package io.askpipe.auth;
