package io.askpipe.ingest.quota;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.askpipe.auth.QuotaOverride;
import io.askpipe.common.http.ProblemType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.function.Function;
import org.jooq.DSLContext;

/**
 * The users' quotas over PostgreSQL, shared by every ingest instance: each user's limits (their
 * override from schema {@code auth} over the defaults, remembered for {@code cacheTtl}), checked
 * and taken by one {@link QuotaStatement} per admitted submit, none when no quota applies to the
 * user. The monthly budget refuses first (it lasts longest), then the asks in flight, then the rate;
 * a refused ask takes nothing of the rate. Thread-safe.
 */
public final class PostgresQuotas implements Quotas {
    /** When a client refused for its asks in flight may look again: asks finish in seconds. */
    static final Duration IN_FLIGHT_RETRY = Duration.ofSeconds(1);

    private static final int MAX_USERS = 100_000;

    private final QuotaStatement statement;
    private final Function<String, QuotaOverride> overrides;
    private final Cache<String, Limits> limits;
    private final QuotaSettings settings;
    private final Clock clock;

    /**
     * Quotas in {@code db} (schema {@code ingest}) with the defaults of {@code settings}, each user's
     * override read through {@code overrides} and remembered for {@code cacheTtl} (0: read every time).
     */
    public PostgresQuotas(
            DSLContext db,
            Function<String, QuotaOverride> overrides,
            Duration cacheTtl,
            QuotaSettings settings,
            Clock clock) {
        this.statement = new QuotaStatement(db);
        this.overrides = overrides;
        this.limits = Caffeine.newBuilder()
                .expireAfterWrite(cacheTtl)
                .maximumSize(cacheTtl.isZero() ? 0 : MAX_USERS)
                .build();
        this.settings = settings;
        this.clock = clock;
    }

    /** {@code userId}'s limits: their override over the defaults. */
    Limits limitsOf(String userId) {
        return limits.get(userId, user -> settings.defaults().overriddenBy(overrides.apply(user)));
    }

    @Override
    public Admission admit(String userId, String requestId) {
        Limits limit = limitsOf(userId);
        if (limit.unlimited()) {
            return Admission.UNLIMITED;
        }
        return admit(userId, requestId, limit);
    }

    @Override
    public Admission budget(String userId) {
        long monthlyTokens = limitsOf(userId).monthlyTokens();
        if (monthlyTokens == 0) {
            return Admission.UNLIMITED;
        }
        // the statement with only the monthly budget to check: it reads the month and takes nothing
        return admit(userId, "", new Limits(0, 0, monthlyTokens));
    }

    private Admission admit(String userId, String requestId, Limits limit) {
        Instant now = clock.instant();
        long nowUs = ChronoUnit.MICROS.between(Instant.EPOCH, now);
        YearMonth month = YearMonth.from(now.atOffset(ZoneOffset.UTC));
        LocalDate monthStart = month.atDay(1);
        Instant nextMonth = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        QuotaStatement.Outcome seen =
                statement.run(userId, requestId, limit, nowUs, now.minus(settings.inFlightRetention()), monthStart);

        boolean overBudget = limit.monthlyTokens() > 0 && seen.tokensSpent() >= limit.monthlyTokens();
        boolean overInFlight = limit.maxInFlight() > 0 && seen.inFlight() >= limit.maxInFlight();
        boolean overRate = limit.rpm() > 0 && seen.admittedTat().isEmpty();
        boolean admitted = !overBudget && !overInFlight && !overRate;

        RateLimitFields fields = new RateLimitFields();
        long rateRetry = 0;
        if (limit.rpm() > 0) {
            RequestRate rate = new RequestRate(limit.rpm());
            long tat = seen.admittedTat().orElse(seen.currentTat().orElse(nowUs));
            long remaining = overRate ? 0 : rate.remaining(tat, nowUs);
            rateRetry = rate.retryAfterSeconds(tat, nowUs);
            fields.rpm(limit.rpm(), remaining, remaining == 0 ? rateRetry : rate.secondsUntilFull(tat, nowUs));
        }
        if (limit.maxInFlight() > 0) {
            fields.inFlight(
                    limit.maxInFlight(), Math.max(0, limit.maxInFlight() - seen.inFlight() - (admitted ? 1 : 0)));
        }
        long untilNextMonth = ceilSeconds(Duration.between(now, nextMonth));
        if (limit.monthlyTokens() > 0) {
            long window = Duration.between(monthStart.atStartOfDay().toInstant(ZoneOffset.UTC), nextMonth)
                    .toSeconds();
            fields.monthlyTokens(
                    limit.monthlyTokens(),
                    window,
                    Math.max(0, limit.monthlyTokens() - seen.tokensSpent()),
                    untilNextMonth);
        }
        var headers = fields.headers();
        if (overBudget) {
            return new Admission.Refused(
                    ProblemType.QUOTA_MONTHLY_TOKENS,
                    "The monthly budget of " + limit.monthlyTokens() + " tokens is spent (" + seen.tokensSpent()
                            + " used in " + month + "); it renews at " + nextMonth,
                    Duration.ofSeconds(untilNextMonth),
                    headers);
        }
        if (overInFlight) {
            return new Admission.Refused(
                    ProblemType.QUOTA_IN_FLIGHT,
                    seen.inFlight() + " asks are queued or running, as many as the quota of " + limit.maxInFlight()
                            + " allows; submit again once one has finished",
                    IN_FLIGHT_RETRY,
                    headers);
        }
        if (overRate) {
            return new Admission.Refused(
                    ProblemType.QUOTA_REQUESTS_PER_MINUTE,
                    "The quota of " + limit.rpm() + " asks a minute is spent; try again in " + rateRetry + " s",
                    Duration.ofSeconds(rateRetry),
                    headers);
        }
        return new Admission.Admitted(headers);
    }

    private static long ceilSeconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }
}
