package io.askpipe.router.limit;

/**
 * The limits of one backend, or of one model of a backend: requests per minute, tokens per minute
 * and calls at once, each 0 for none.
 */
public record Limits(long rpm, long tpm, int maxConcurrency) {
    /** No limit at all. */
    public static final Limits NONE = new Limits(0, 0, 0);

    public Limits {
        if (rpm < 0 || tpm < 0 || maxConcurrency < 0) {
            throw new IllegalArgumentException("limits are 0 (none) or positive");
        }
    }

    /** Whether none of the three limits is set. */
    public boolean none() {
        return rpm == 0 && tpm == 0 && maxConcurrency == 0;
    }
}
