package io.askpipe.ingest.validate;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a submitted ask stops being worth answering, as the client said it: {@code expires_after}
 * seconds after it is accepted, or at a {@code deadline}. Ingest turns it into the ask's absolute
 * deadline once, at the first accept, so that every later reader (a retry, the router, a replay)
 * sees the same moment.
 */
public sealed interface Expiry {
    /** The moment the ask expires if it was accepted at {@code acceptedAt}. */
    Instant deadline(Instant acceptedAt);

    /** {@code expires_after}: this long after the ask is accepted. */
    record After(Duration duration) implements Expiry {
        public After {
            Objects.requireNonNull(duration, "duration");
        }

        @Override
        public Instant deadline(Instant acceptedAt) {
            return acceptedAt.plus(duration);
        }
    }

    /** {@code deadline}: at this moment, whenever the ask is accepted. */
    record At(Instant instant) implements Expiry {
        public At {
            Objects.requireNonNull(instant, "instant");
        }

        @Override
        public Instant deadline(Instant acceptedAt) {
            return instant;
        }
    }
}
