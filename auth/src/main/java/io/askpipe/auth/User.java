package io.askpipe.auth;

import java.time.Instant;

/**
 * A client of askpipe; every ask belongs to one.
 *
 * @param disabledAt when the user was disabled (their keys are refused), or {@code null}
 */
public record User(String id, String name, Instant createdAt, Instant disabledAt) {
    /** True while the user is disabled. */
    public boolean disabled() {
        return disabledAt != null;
    }
}
