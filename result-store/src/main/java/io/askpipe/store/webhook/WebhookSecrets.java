package io.askpipe.store.webhook;

import static io.askpipe.store.db.Tables.WEBHOOK_SECRETS;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.askpipe.store.db.tables.records.WebhookSecretsRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Each user's webhook signing secrets. A user has one current secret, created when first needed;
 * rotating it creates a new one and lets the old one sign alongside it until {@code grace} has
 * passed. Thread-safe.
 */
public final class WebhookSecrets {
    private final DSLContext db;
    private final Clock clock;

    public WebhookSecrets(DSLContext db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** A secret as shown to its user. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SecretView(String secret, Instant createdAt, Instant previousValidUntil) {}

    /** {@code userId}'s current secret, created now if they have none. */
    public SecretView current(String userId) {
        List<WebhookSecretsRecord> valid = validOrFirst(userId);
        return view(valid.getFirst(), valid.size() > 1 ? valid.get(1) : null);
    }

    /** Replaces {@code userId}'s secret; the ones it replaces keep signing for {@code grace}. */
    public SecretView rotate(String userId, Duration grace) {
        return db.transactionResult(configuration -> {
            DSLContext tx = DSL.using(configuration);
            lock(tx, userId);
            OffsetDateTime until = now().plus(grace);
            tx.update(WEBHOOK_SECRETS)
                    .set(WEBHOOK_SECRETS.EXPIRES_AT, until)
                    .where(WEBHOOK_SECRETS.USER_ID.eq(userId))
                    .and(WEBHOOK_SECRETS.EXPIRES_AT.isNull().or(WEBHOOK_SECRETS.EXPIRES_AT.gt(until)))
                    .execute();
            return new SecretView(create(tx, userId).getSecret(), clock.instant(), until.toInstant());
        });
    }

    /** Every secret a webhook for {@code userId} is signed with now, newest first; never empty. */
    List<String> signingSecrets(String userId) {
        return validOrFirst(userId).stream()
                .map(WebhookSecretsRecord::getSecret)
                .toList();
    }

    /** Deletes the secrets that stopped signing: they never sign again. Returns how many. */
    public int purgeExpired() {
        return db.deleteFrom(WEBHOOK_SECRETS)
                .where(WEBHOOK_SECRETS.EXPIRES_AT.le(now()))
                .execute();
    }

    /**
     * {@code userId}'s valid secrets, newest first, their first made now if they have none. Two first
     * uses at once (two deliveries of a new user) make one secret, not one each: each would sign
     * with its own, and a receiver set up with the other would refuse the webhook.
     */
    private List<WebhookSecretsRecord> validOrFirst(String userId) {
        List<WebhookSecretsRecord> valid = valid(db, userId);
        if (!valid.isEmpty()) {
            return valid;
        }
        return db.transactionResult(configuration -> {
            DSLContext tx = DSL.using(configuration);
            lock(tx, userId);
            // another first use may have made it while this one waited for the lock
            List<WebhookSecretsRecord> again = valid(tx, userId);
            return again.isEmpty() ? List.of(create(tx, userId)) : again;
        });
    }

    /** Takes the lock on {@code userId}'s secrets until the end of the transaction {@code tx}. */
    private static void lock(DSLContext tx, String userId) {
        tx.execute("SELECT pg_advisory_xact_lock(hashtext('askpipe.webhook_secrets'), hashtext(?))", userId);
    }

    private List<WebhookSecretsRecord> valid(DSLContext ctx, String userId) {
        return ctx.selectFrom(WEBHOOK_SECRETS)
                .where(WEBHOOK_SECRETS.USER_ID.eq(userId))
                .and(WEBHOOK_SECRETS.EXPIRES_AT.isNull().or(WEBHOOK_SECRETS.EXPIRES_AT.gt(now())))
                .orderBy(WEBHOOK_SECRETS.CREATED_AT.desc())
                .fetch();
    }

    private WebhookSecretsRecord create(DSLContext tx, String userId) {
        WebhookSecretsRecord row = tx.newRecord(WEBHOOK_SECRETS);
        row.setId(UUID.randomUUID().toString());
        row.setUserId(userId);
        row.setSecret(WebhookSigner.newSecret());
        row.setCreatedAt(now());
        row.store();
        return row;
    }

    private static SecretView view(WebhookSecretsRecord newest, WebhookSecretsRecord previous) {
        return new SecretView(
                newest.getSecret(),
                newest.getCreatedAt().toInstant(),
                previous == null || previous.getExpiresAt() == null
                        ? null
                        : previous.getExpiresAt().toInstant());
    }

    private OffsetDateTime now() {
        return clock.instant().atOffset(ZoneOffset.UTC);
    }
}
