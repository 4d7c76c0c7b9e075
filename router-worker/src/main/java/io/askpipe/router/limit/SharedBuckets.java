package io.askpipe.router.limit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The per-minute buckets every worker takes from, kept by Bucket4j in {@code router.limit_buckets}
 * (one row per bucket, read {@code FOR UPDATE} and written back in one transaction).
 *
 * <p>A bucket of {@code L} per minute holds at most a second's worth ({@code ceil(L/60)}) and refills
 * the rest ({@code L} less that) over the minute, so that no sliding minute ever sees more than
 * {@code L}, as a provider counting its own minute would: a bucket that started full with {@code L}
 * would let twice the limit through in its first minute. A bucket's id carries its limit, so a new
 * limit starts a new bucket. Thread-safe.
 */
final class SharedBuckets {
    static final String TABLE = "router.limit_buckets";

    private final ProxyManager<String> buckets;
    private final Map<String, Bucket> known = new ConcurrentHashMap<>();

    SharedBuckets(DataSource dataSource) {
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table(TABLE)
                .idColumn("id")
                .stateColumn("state")
                .build();
    }

    /** The bucket of {@code perMinute} named {@code name} ({@code openai:rpm}, {@code openai/gpt-4o:tpm}). */
    Bucket bucket(String name, long perMinute) {
        return known.computeIfAbsent(
                name + ":" + perMinute,
                id -> new Bucket(buckets.builder().build(id, () -> configuration(perMinute)), capacity(perMinute)));
    }

    /** The most a bucket of {@code perMinute} holds: a second's worth, at least one. */
    static long capacity(long perMinute) {
        return Math.max(1, (perMinute + 59) / 60);
    }

    static BucketConfiguration configuration(long perMinute) {
        long capacity = capacity(perMinute);
        long refill = Math.max(1, perMinute - capacity);
        return BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(capacity).refillGreedy(refill, Duration.ofMinutes(1)))
                .build();
    }

    /** One shared bucket. */
    static final class Bucket {
        private final BucketProxy proxy;
        private final long capacity;

        private Bucket(BucketProxy proxy, long capacity) {
            this.proxy = proxy;
            this.capacity = capacity;
        }

        /**
         * Takes {@code tokens} if the bucket has them and returns 0, else takes nothing and returns the
         * nanoseconds until it will. A take larger than the bucket holds waits for a full bucket and
         * takes the rest as debt, which the asks after it wait out.
         */
        long tryTake(long tokens) {
            long now = Math.min(tokens, capacity);
            ConsumptionProbe probe = proxy.tryConsumeAndReturnRemaining(now);
            if (!probe.isConsumed()) {
                return Math.max(1, probe.getNanosToWaitForRefill());
            }
            if (tokens > now) {
                proxy.consumeIgnoringRateLimits(tokens - now);
            }
            return 0;
        }

        /** Takes {@code tokens} more (positive) or gives them back (negative), whatever the bucket holds. */
        void adjust(long tokens) {
            if (tokens > 0) {
                proxy.consumeIgnoringRateLimits(tokens);
            } else if (tokens < 0) {
                proxy.addTokens(-tokens);
            }
        }
    }
}
