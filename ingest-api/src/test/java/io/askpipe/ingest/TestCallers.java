package io.askpipe.ingest;

import io.askpipe.auth.ApiKey;
import io.askpipe.auth.BearerAuth;
import io.askpipe.auth.Credential;
import io.askpipe.auth.User;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Fixed callers for route tests that need no database: a live key, a revoked one, a disabled user. */
final class TestCallers {
    static final String ALICE = "u-alice";
    static final String ALICE_BEARER = "Bearer ak_alice";
    static final String BOB = "u-bob";
    static final String BOB_BEARER = "Bearer ak_bob";
    static final String REVOKED_BEARER = "Bearer ak_revoked";
    static final String DISABLED_BEARER = "Bearer ak_mallory";

    private static final Instant T = Instant.parse("2026-11-26T00:00:00Z");
    private static final User ALICE_USER = new User(ALICE, "alice", T, null);
    private static final User BOB_USER = new User(BOB, "bob", T, null);
    private static final User MALLORY_USER = new User("u-mallory", "mallory", T, T);
    private static final Map<String, Credential> KEYS = Map.of(
            "ak_alice", new Credential(new ApiKey("k-alice", ALICE, "f-alice", "ak_alice", T, null), ALICE_USER),
            "ak_bob", new Credential(new ApiKey("k-bob", BOB, "f-bob", "ak_bob", T, null), BOB_USER),
            "ak_revoked", new Credential(new ApiKey("k-old", ALICE, "f-old", "ak_revoked", T, T), ALICE_USER),
            "ak_mallory",
                    new Credential(new ApiKey("k-mallory", "u-mallory", "f-m", "ak_mallory", T, null), MALLORY_USER));

    private TestCallers() {}

    static BearerAuth auth() {
        return BearerAuth.create(secret -> Optional.ofNullable(KEYS.get(secret)), Duration.ZERO);
    }
}
