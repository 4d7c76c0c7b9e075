package io.askpipe.ingest.quota;

import io.askpipe.common.http.ProblemException;
import io.askpipe.common.http.ProblemType;
import java.time.Duration;
import java.util.Map;

/** What a user's quotas said of one more ask: admitted, or refused by one of them. */
public sealed interface Admission {
    /** Admitted with nothing to say: no quota applies to the user. */
    Admission UNLIMITED = new Admitted(Map.of());

    /** The {@code RateLimit-Policy} and {@code RateLimit} fields of the answer; empty if none apply. */
    Map<String, String> headers();

    /** The ask may go on; its answer carries {@code headers}. */
    record Admitted(Map<String, String> headers) implements Admission {
        public Admitted {
            headers = Map.copyOf(headers);
        }
    }

    /** Over the quota of {@code type}; the client may try again after {@code retryAfter}. */
    record Refused(ProblemType type, String detail, Duration retryAfter, Map<String, String> headers)
            implements Admission {
        public Refused {
            headers = Map.copyOf(headers);
        }

        /** The 429 problem that answers it. */
        public ProblemException problem() {
            return ProblemException.overQuota(type, detail, retryAfter, headers);
        }
    }
}
