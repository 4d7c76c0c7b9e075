package io.askpipe.auth;

import static io.askpipe.auth.db.Tables.USER_QUOTAS;

import io.askpipe.auth.db.tables.records.UserQuotasRecord;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * The per-user quota overrides in schema {@code auth} (table {@code user_quotas}), through jOOQ:
 * written by {@code askpipe admin}, read by the ingest API. Thread-safe.
 */
public final class QuotaOverrides {
    private final DSLContext db;
    private final Clock clock;

    public QuotaOverrides(DSLContext db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** {@code userId}'s override; {@link QuotaOverride#NONE} when it has none. */
    public QuotaOverride of(String userId) {
        return db.selectFrom(USER_QUOTAS)
                .where(USER_QUOTAS.USER_ID.eq(userId))
                .fetchOptional()
                .map(QuotaOverrides::override)
                .orElse(QuotaOverride.NONE);
    }

    /**
     * Sets the limits {@code change} names for {@code userId}, keeping the others it had; returns
     * the override now stored.
     */
    public QuotaOverride set(String userId, QuotaOverride change) {
        return db.transactionResult(tx -> {
            DSLContext inner = tx.dsl();
            QuotaOverride current = inner.selectFrom(USER_QUOTAS)
                    .where(USER_QUOTAS.USER_ID.eq(userId))
                    .forUpdate()
                    .fetchOptional()
                    .map(QuotaOverrides::override)
                    .orElse(QuotaOverride.NONE);
            QuotaOverride next = current.with(change);
            var now = clock.instant().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
            inner.insertInto(USER_QUOTAS)
                    .set(USER_QUOTAS.USER_ID, userId)
                    .set(USER_QUOTAS.RPM, next.rpm().orElse(null))
                    .set(USER_QUOTAS.MAX_IN_FLIGHT, next.maxInFlight().orElse(null))
                    .set(USER_QUOTAS.MONTHLY_TOKENS, next.monthlyTokens().orElse(null))
                    .set(USER_QUOTAS.UPDATED_AT, now)
                    .onConflict(USER_QUOTAS.USER_ID)
                    .doUpdate()
                    .set(USER_QUOTAS.RPM, next.rpm().orElse(null))
                    .set(USER_QUOTAS.MAX_IN_FLIGHT, next.maxInFlight().orElse(null))
                    .set(USER_QUOTAS.MONTHLY_TOKENS, next.monthlyTokens().orElse(null))
                    .set(USER_QUOTAS.UPDATED_AT, now)
                    .execute();
            return next;
        });
    }

    /** Removes {@code userId}'s override, so that the defaults apply; returns whether it had one. */
    public boolean clear(String userId) {
        return db.deleteFrom(USER_QUOTAS).where(USER_QUOTAS.USER_ID.eq(userId)).execute() > 0;
    }

    private static QuotaOverride override(UserQuotasRecord row) {
        return new QuotaOverride(
                Optional.ofNullable(row.getRpm()),
                Optional.ofNullable(row.getMaxInFlight()),
                Optional.ofNullable(row.getMonthlyTokens()));
    }
}
