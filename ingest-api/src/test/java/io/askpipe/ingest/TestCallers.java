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
public final class TestCallers {
    public static final String ALICE = "u-alice";
    public static final String ALICE_KEY = key("alice");
    public static final String ALICE_BEARER = "Bearer " + ALICE_KEY;
    public static final String BOB = "u-bob";
    public static final String BOB_BEARER = "Bearer " + key("bob");
    public static final String REVOKED_BEARER = "Bearer " + key("revoked");
    public static final String DISABLED_BEARER = "Bearer " + key("mallory");

    private static final Instant T = Instant.parse("2026-11-26T00:00:00Z");
    private static final User ALICE_USER = new User(ALICE, "alice", T, null);
    private static final User BOB_USER = new User(BOB, "bob", T, null);
    private static final User MALLORY_USER = new User("u-mallory", "mallory", T, T);
    private static final Map<String, Credential> KEYS = Map.of(
            key("alice"), new Credential(new ApiKey("k-alice", ALICE, "f-alice", "ak_aliceAAA", T, null), ALICE_USER),
            key("bob"), new Credential(new ApiKey("k-bob", BOB, "f-bob", "ak_bobAAAAA", T, null), BOB_USER),
            key("revoked"), new Credential(new ApiKey("k-old", ALICE, "f-old", "ak_revokedA", T, T), ALICE_USER),
            key("mallory"),
                    new Credential(new ApiKey("k-mallory", "u-mallory", "f-m", "ak_malloryA", T, null), MALLORY_USER));

    private TestCallers() {}

    /** A key of the issued form ({@code ak_} and 43 base64url characters) that starts with {@code name}. */
    public static String key(String name) {
        return "ak_" + (name + "A".repeat(43)).substring(0, 43);
    }

    public static BearerAuth auth() {
        return BearerAuth.create(secret -> Optional.ofNullable(KEYS.get(secret)), Duration.ZERO);
    }
}
