package io.askpipe.ingest.quota;

import io.askpipe.auth.QuotaOverride;

/**
 * One user's quotas as they apply; {@code 0} is unlimited.
 *
 * @param rpm asks a minute
 * @param maxInFlight asks accepted and not yet finished
 * @param monthlyTokens tokens of a calendar month (UTC)
 */
public record Limits(int rpm, int maxInFlight, long monthlyTokens) {
    public static final Limits UNLIMITED = new Limits(0, 0, 0);

    public Limits {
        if (rpm < 0 || maxInFlight < 0 || monthlyTokens < 0) {
            throw new IllegalArgumentException("a quota is 0 (unlimited) or more");
        }
    }

    /** These limits with those {@code override} sets in their place. */
    public Limits overriddenBy(QuotaOverride override) {
        return new Limits(
                override.rpm().orElse(rpm),
                override.maxInFlight().orElse(maxInFlight),
                override.monthlyTokens().orElse(monthlyTokens));
    }

    /** True when no quota applies: nothing to check. */
    public boolean unlimited() {
        return rpm == 0 && maxInFlight == 0 && monthlyTokens == 0;
    }
}
