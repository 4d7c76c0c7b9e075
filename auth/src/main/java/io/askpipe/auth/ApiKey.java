package io.askpipe.auth;

import java.time.Instant;

/**
 * An API key as stored: never its secret, only the prefix that identifies it.
 *
 * @param revokedAt when it was revoked, or {@code null} while it is live
 * @param familyId keys of one family (a key and those that replaced it) are revoked together
 */
public record ApiKey(String id, String userId, String familyId, String prefix, Instant createdAt, Instant revokedAt) {
    /** True once the key's family was revoked. */
    public boolean revoked() {
        return revokedAt != null;
    }
}
