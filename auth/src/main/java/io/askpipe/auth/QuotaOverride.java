package io.askpipe.auth;

import java.util.Optional;

/**
 * A user's own quotas, where they differ from the ingest API's defaults: each limit is empty to
 * take the default, {@code 0} for unlimited, or the limit itself.
 *
 * @param rpm asks a minute
 * @param maxInFlight asks queued or running at once
 * @param monthlyTokens tokens a calendar month (UTC)
 */
public record QuotaOverride(Optional<Integer> rpm, Optional<Integer> maxInFlight, Optional<Long> monthlyTokens) {
    /** No override: every limit is the default. */
    public static final QuotaOverride NONE = new QuotaOverride(Optional.empty(), Optional.empty(), Optional.empty());

    public QuotaOverride {
        if (rpm.orElse(0) < 0 || maxInFlight.orElse(0) < 0 || monthlyTokens.orElse(0L) < 0) {
            throw new IllegalArgumentException("a quota is 0 (unlimited) or more");
        }
    }

    /** This override with the limits {@code other} sets replacing this one's. */
    public QuotaOverride with(QuotaOverride other) {
        return new QuotaOverride(
                other.rpm.or(() -> rpm),
                other.maxInFlight.or(() -> maxInFlight),
                other.monthlyTokens.or(() -> monthlyTokens));
    }

    /** True when it sets no limit. */
    public boolean isEmpty() {
        return rpm.isEmpty() && maxInFlight.isEmpty() && monthlyTokens.isEmpty();
    }
}
