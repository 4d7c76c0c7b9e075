package io.askpipe.ingest.quota;

import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import java.time.Duration;
import java.util.List;

/**
 * The quotas every user gets unless {@code askpipe admin set-quota} overrides them; {@code 0} is
 * unlimited, the default of each, so that nothing is throttled until an operator says so.
 *
 * @param defaults {@code QUOTA_RPM}, {@code QUOTA_MAX_IN_FLIGHT}, {@code QUOTA_MONTHLY_TOKENS}
 * @param inFlightRetention {@code QUOTA_IN_FLIGHT_RETENTION}: the longest an accepted ask counts as
 *     in flight without its result (one whose result never comes does not hold a place for ever)
 */
public record QuotaSettings(Limits defaults, Duration inFlightRetention) {
    public static final Setting<Integer> RPM = Setting.integer("QUOTA_RPM", 0, 1_000_000)
            .defaultsTo("0")
            .doc(
                    "asks a minute per user, for all ingest instances together; beyond it `429`"
                            + " `quota-requests-per-minute`. `0` is unlimited; `askpipe admin set-quota` overrides it per user");
    public static final Setting<Integer> MAX_IN_FLIGHT = Setting.integer("QUOTA_MAX_IN_FLIGHT", 0, 1_000_000)
            .defaultsTo("0")
            .doc("asks per user accepted and not yet finished (queued or running); beyond it `429`"
                    + " `quota-in-flight`. `0` is unlimited; overridden per user like `QUOTA_RPM`");
    public static final Setting<Long> MONTHLY_TOKENS = Setting.longInteger("QUOTA_MONTHLY_TOKENS", 0, Long.MAX_VALUE)
            .defaultsTo("0")
            .doc("tokens per user and calendar month (UTC) that answers may use; once spent, `429`"
                    + " `quota-monthly-tokens` until the month ends. `0` is unlimited; overridden per user");
    public static final Setting<Duration> IN_FLIGHT_RETENTION = Setting.duration(
                    "QUOTA_IN_FLIGHT_RETENTION", Duration.ofMinutes(1), Duration.ofDays(30))
            .defaultsTo("24h")
            .doc("the longest an accepted ask counts as in flight while its result has not come back");

    /** Unlimited, as the environment's defaults are. */
    public static final QuotaSettings DEFAULTS = new QuotaSettings(Limits.UNLIMITED, Duration.ofHours(24));

    public static QuotaSettings fromEnv(Env env) {
        return new QuotaSettings(
                new Limits(env.get(RPM), env.get(MAX_IN_FLIGHT), env.get(MONTHLY_TOKENS)),
                env.get(IN_FLIGHT_RETENTION));
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return List.of(RPM, MAX_IN_FLIGHT, MONTHLY_TOKENS, IN_FLIGHT_RETENTION);
    }
}
