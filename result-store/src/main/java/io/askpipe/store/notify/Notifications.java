package io.askpipe.store.notify;

import java.util.Collection;
import org.jooq.DSLContext;

/**
 * The sending side of the PostgreSQL notifications that tell every result-store instance's
 * listener ({@code api.AskWaiters}) what changed: an ask became terminal, or a webhook delivery
 * became due. Sent inside a transaction, a notification is delivered at commit.
 */
public final class Notifications {
    /** The channel that says an ask became terminal; the payload is the request id. */
    public static final String ASK_DONE = "askpipe_ask_done";
    /**
     * The channel that says a webhook delivery became due; the payload names it (the request id of
     * an ask's, the webhook-id of a batch event's), for the log: listeners only wake on it.
     */
    public static final String WEBHOOK_DUE = "askpipe_webhook_due";

    private Notifications() {}

    /**
     * Sends {@code id} (the payload each channel names) on {@code channel} ({@link #ASK_DONE} or
     * {@link #WEBHOOK_DUE}) to every instance's listener; inside a transaction, PostgreSQL delivers
     * it at commit.
     */
    public static void notify(DSLContext db, String channel, String id) {
        db.execute("SELECT pg_notify(?, ?)", channel, id);
    }

    /** {@link #notify} of each of {@code requestIds}, in one statement. */
    public static void notifyEach(DSLContext db, String channel, Collection<String> requestIds) {
        db.execute(
                "SELECT pg_notify(?, id) FROM unnest(?::varchar[]) AS ids(id)",
                channel,
                requestIds.toArray(String[]::new));
    }
}
