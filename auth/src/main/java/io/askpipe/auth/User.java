package io.askpipe.auth;

import java.time.Instant;

/** A client of askpipe; every ask belongs to one. */
public record User(String id, String name, Instant createdAt) {}
