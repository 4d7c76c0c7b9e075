package io.askpipe.jmh;

import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Usage;
import java.time.Instant;

/**
 * One ask as it travels through the pipeline, with the sizes of a typical chat request: a prompt
 * of a few hundred characters, an answer of about 1 KB with a few non-ASCII characters, a model,
 * a callback URL and a trace context. Every benchmark measures its hot path on these values.
 */
public final class Payloads {
    public static final String REQUEST_ID = "0193a6f2-7c1e-7d4b-9a3f-5e2c8b1d4f60";
    public static final String USER_ID = "5b0d7c2e-3f41-4a8e-9c6d-1e2f3a4b5c6d";
    public static final String IDEMPOTENCY_KEY = "order-7f3a9c21-retry-safe";
    public static final String MODEL = "gpt-4o-mini";
    public static final String CALLBACK_URL = "https://hooks.example.com/askpipe/results?tenant=acme";
    public static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    public static final String PROMPT = "You are reviewing a pull request for a Java service that consumes "
            + "messages from Kafka and writes them to PostgreSQL. Summarize the risks of committing the "
            + "consumer offsets before the database transaction commits, list what happens on a crash "
            + "between the two steps, and suggest a change that keeps exactly one row per message. "
            + "Answer in at most five bullet points.";

    public static final String ANSWER = "- **Lost messages.** If the offsets are committed first and the "
            + "process dies before the transaction commits, the consumer restarts after those messages: "
            + "they are never written, and nothing reports it.\n"
            + "- **No duplicates, but no retry either.** The at-most-once order hides failures of the "
            + "database (a constraint violation, a failover) that a retry would have fixed.\n"
            + "- **Crash window.** Between `commitSync()` and `COMMIT` a kill -9, an OOM or a rebalance "
            + "leaves the group ahead of the table; the gap grows with the batch size.\n"
            + "- **Fix: store the offset with the data.** Write the rows and the partition\u2019s next "
            + "offset in the same transaction (a small `consumer_offsets` table keyed by topic and "
            + "partition), and on assignment seek to what the table says. A replay then rewrites "
            + "nothing, because the key is unique and the insert is `ON CONFLICT DO NOTHING`.\n"
            + "- **Alternatively** commit offsets only after the transaction and make the write "
            + "idempotent on the message\u2019s key: at-least-once delivery with an idempotent sink "
            + "gives one row per message \u2014 na\u00efve retries become harmless.";

    public static final Instant ACCEPTED_AT = Instant.parse("2026-11-26T10:15:30.123456Z");
    public static final Instant STARTED_AT = Instant.parse("2026-11-26T10:15:30.131902Z");
    public static final Instant COMPLETED_AT = Instant.parse("2026-11-26T10:15:31.877215Z");

    private Payloads() {}

    /** The ask as ingest publishes it to {@code ask.requests}. */
    public static AskRequest request() {
        return new AskRequest(
                REQUEST_ID, USER_ID, IDEMPOTENCY_KEY, PROMPT, MODEL, null, ACCEPTED_AT, CALLBACK_URL, TRACEPARENT);
    }

    /** The worker's start on it, as published to {@code ask.progress}. */
    public static AskProgress progress() {
        return new AskProgress(REQUEST_ID, "openai", STARTED_AT);
    }

    /** Its successful result, as the router publishes it to {@code ask.results}. */
    public static AskResult result() {
        return AskResult.succeeded(REQUEST_ID, "openai", MODEL, ANSWER, Usage.of(96, 284), 1745, 1, COMPLETED_AT);
    }
}
