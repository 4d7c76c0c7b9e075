package io.askpipe.auth;

/** Who made an authenticated request: the user, and which of their keys they used. */
public record Caller(String userId, String keyId) {}
