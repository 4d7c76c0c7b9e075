package io.askpipe.auth;

import static io.askpipe.auth.db.Tables.API_KEYS;
import static io.askpipe.auth.db.Tables.USERS;

import io.askpipe.auth.db.tables.records.ApiKeysRecord;
import io.askpipe.auth.db.tables.records.UsersRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jooq.DSLContext;

/**
 * Users and API keys, through jOOQ (schema {@code auth}). A key's secret is {@code ak_} and 256
 * random bits, base64url; only its SHA-256 is stored, so a leaked table reveals no key. A fast hash
 * is right for high-entropy secrets (a slow one protects guessable passwords, which these are not).
 * Thread-safe.
 */
public final class Accounts {
    /** The schema the tables live in, migrated from {@code db/auth}. */
    public static final String SCHEMA = "auth";

    private static final String SECRET_PREFIX = "ak_";
    private static final int SECRET_BYTES = 32;
    /** "ak_" and 43 characters: 42 of 6 bits each, and a last one with the 4 bits left and 2 zeros. */
    private static final int SECRET_LENGTH = SECRET_PREFIX.length() + (SECRET_BYTES * 8 + 5) / 6;

    private static final Pattern SECRET_FORMAT = Pattern.compile(Pattern.quote(SECRET_PREFIX) + "[A-Za-z0-9_-]{"
            + (SECRET_LENGTH - SECRET_PREFIX.length() - 1) + "}" + "[AEIMQUYcgkosw048]");
    private static final int PREFIX_LENGTH = 11; // "ak_" and 8 characters of the secret
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DSLContext db;
    private final Clock clock;

    public Accounts(DSLContext db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Creates a user called {@code name}; names are unique. */
    public User createUser(String name) {
        UsersRecord row = db.newRecord(USERS);
        row.setId(UUID.randomUUID().toString());
        row.setName(name);
        row.setCreatedAt(now());
        row.store();
        return user(row);
    }

    /** The user with id {@code id}. */
    public Optional<User> findUser(String id) {
        return db.selectFrom(USERS).where(USERS.ID.eq(id)).fetchOptional().map(Accounts::user);
    }

    /** The user called {@code name}. */
    public Optional<User> findUserByName(String name) {
        return db.selectFrom(USERS).where(USERS.NAME.eq(name)).fetchOptional().map(Accounts::user);
    }

    /** Issues a key of a new family for {@code userId}. */
    public IssuedKey issueKey(String userId) {
        return issueKey(userId, UUID.randomUUID().toString());
    }

    /** Issues a key in {@code familyId}, e.g. to replace an older key of the family. */
    public IssuedKey issueKey(String userId, String familyId) {
        byte[] random = new byte[SECRET_BYTES];
        RANDOM.nextBytes(random);
        String secret = SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        ApiKeysRecord row = db.newRecord(API_KEYS);
        row.setId(UUID.randomUUID().toString());
        row.setUserId(userId);
        row.setFamilyId(familyId);
        row.setPrefix(secret.substring(0, PREFIX_LENGTH));
        row.setKeyHash(hash(secret));
        row.setCreatedAt(now());
        row.store();
        return new IssuedKey(key(row), secret);
    }

    /**
     * Whether {@code secret} has the exact form of an issued key: {@code ak_} and the unpadded
     * base64url of 32 bytes, so that anything else is refused without a hash or a query.
     */
    static boolean wellFormed(String secret) {
        return secret != null
                && secret.length() == SECRET_LENGTH
                && SECRET_FORMAT.matcher(secret).matches();
    }

    /** The key with id {@code id}. */
    public Optional<ApiKey> findKey(String id) {
        return db.selectFrom(API_KEYS).where(API_KEYS.ID.eq(id)).fetchOptional().map(Accounts::key);
    }

    /** The keys of {@code userId}, newest first. */
    public List<ApiKey> keysOf(String userId) {
        return db.selectFrom(API_KEYS)
                .where(API_KEYS.USER_ID.eq(userId))
                .orderBy(API_KEYS.CREATED_AT.desc())
                .fetch(Accounts::key);
    }

    /** The usable key whose secret is {@code secret}: not revoked, and its user not disabled. */
    public Optional<ApiKey> authenticate(String secret) {
        return lookup(secret).filter(Credential::usable).map(Credential::key);
    }

    /**
     * The key whose secret is {@code secret} and its user, whatever their state, so that a caller
     * can tell an unknown key from a revoked one or a disabled user; empty for an unknown secret.
     */
    public Optional<Credential> lookup(String secret) {
        if (!wellFormed(secret)) {
            return Optional.empty();
        }
        return db.select()
                .from(API_KEYS)
                .join(USERS)
                .on(USERS.ID.eq(API_KEYS.USER_ID))
                .where(API_KEYS.KEY_HASH.eq(hash(secret)))
                .fetchOptional()
                .map(row -> new Credential(key(row.into(API_KEYS)), user(row.into(USERS))));
    }

    /**
     * Disables ({@code disabled}) or enables the user {@code userId}; a disabled user's keys are
     * refused until it is enabled again. Returns whether anything changed.
     */
    public boolean setDisabled(String userId, boolean disabled) {
        return db.update(USERS)
                        .set(USERS.DISABLED_AT, disabled ? now() : null)
                        .where(USERS.ID.eq(userId))
                        .and(disabled ? USERS.DISABLED_AT.isNull() : USERS.DISABLED_AT.isNotNull())
                        .execute()
                > 0;
    }

    /** Every user, by name. */
    public List<User> users() {
        return db.selectFrom(USERS).orderBy(USERS.NAME).fetch(Accounts::user);
    }

    /** Revokes every live key of {@code familyId}; returns how many. */
    public int revokeFamily(String familyId) {
        return db.update(API_KEYS)
                .set(API_KEYS.REVOKED_AT, now())
                .where(API_KEYS.FAMILY_ID.eq(familyId))
                .and(API_KEYS.REVOKED_AT.isNull())
                .execute();
    }

    /** Now, at the database's precision, so that what is returned equals what is stored. */
    private java.time.OffsetDateTime now() {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    static String hash(String secret) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static User user(UsersRecord row) {
        return new User(
                row.getId(),
                row.getName(),
                row.getCreatedAt().toInstant(),
                row.getDisabledAt() == null ? null : row.getDisabledAt().toInstant());
    }

    private static ApiKey key(ApiKeysRecord row) {
        return new ApiKey(
                row.getId(),
                row.getUserId(),
                row.getFamilyId(),
                row.getPrefix(),
                row.getCreatedAt().toInstant(),
                row.getRevokedAt() == null ? null : row.getRevokedAt().toInstant());
    }
}
