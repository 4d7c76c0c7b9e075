package io.askpipe.store;

import io.askpipe.common.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients long-polling {@code GET /v1/ask/{id}?wait=N}, and the one thread per instance that
 * wakes them. Whichever result-store instance writes a terminal result sends a PostgreSQL {@code
 * NOTIFY} on {@link #CHANNEL} with the request id; every instance {@code LISTEN}s on one dedicated
 * connection and wakes its waiters for that id. A waiting client costs a map entry and a timer: no
 * thread, and no query until it is woken. If the listening connection is lost, notifications may be
 * lost with it, so every waiter is woken to look again. The same connection listens on {@link
 * #WEBHOOK_CHANNEL} for the webhook dispatcher.
 */
final class AskWaiters implements AutoCloseable {
    /** The notification channel; the payload is the request id. */
    static final String CHANNEL = "askpipe_ask_done";
    /** The channel that says a webhook delivery became due; the payload is the request id. */
    static final String WEBHOOK_CHANNEL = "askpipe_webhook_due";

    private static final Logger LOG = LoggerFactory.getLogger(AskWaiters.class);

    private final Map<String, Set<Runnable>> waiters = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final int max;
    private final DatabaseSettings database;
    private final Thread listener;
    private volatile Runnable onWebhookDue = () -> {};
    private volatile boolean running = true;

    private AskWaiters(DatabaseSettings database, int max) {
        this.database = database;
        this.max = max;
        this.listener =
                Thread.ofPlatform().name("askpipe-ask-listener").daemon().unstarted(this::listen);
    }

    /** Starts listening for notifications; at most {@code max} clients may wait at once. */
    static AskWaiters start(DatabaseSettings database, int max) {
        AskWaiters waiters = new AskWaiters(database, max);
        waiters.listener.start();
        return waiters;
    }

    /**
     * Runs {@code wake} (once, on the listener thread) when {@code requestId} may have become
     * terminal. Returns the handle that cancels the wait, or {@code null} when too many clients
     * wait already (the caller then answers at once).
     */
    Runnable register(String requestId, Runnable wake) {
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            return null;
        }
        waiters.computeIfAbsent(requestId, id -> ConcurrentHashMap.newKeySet()).add(wake);
        return () -> remove(requestId, wake);
    }

    /**
     * Sends {@code requestId} on {@code channel} ({@link #CHANNEL} or {@link #WEBHOOK_CHANNEL}) to
     * every instance's listener; inside a transaction, PostgreSQL delivers it at commit.
     */
    static void notify(DSLContext db, String channel, String requestId) {
        db.execute("SELECT pg_notify(?, ?)", channel, requestId);
    }

    /** {@link #notify} of each of {@code requestIds}, in one statement. */
    static void notifyEach(DSLContext db, String channel, Collection<String> requestIds) {
        db.execute(
                "SELECT pg_notify(?, id) FROM unnest(?::varchar[]) AS ids(id)",
                channel,
                requestIds.toArray(String[]::new));
    }

    /** Runs {@code wake} whenever a webhook delivery becomes due, on any instance. */
    void onWebhookDue(Runnable wake) {
        this.onWebhookDue = wake;
    }

    /** How many clients wait now. */
    int waiting() {
        return count.get();
    }

    private void remove(String requestId, Runnable wake) {
        waiters.computeIfPresent(requestId, (id, set) -> {
            if (set.remove(wake)) {
                count.decrementAndGet();
            }
            return set.isEmpty() ? null : set;
        });
    }

    /** Wakes every client waiting for {@code requestId}. */
    void wake(String requestId) {
        Set<Runnable> woken = waiters.remove(requestId);
        if (woken != null) {
            count.addAndGet(-woken.size());
            woken.forEach(AskWaiters::runQuietly);
        }
    }

    private void wakeAll() {
        waiters.keySet().forEach(this::wake);
    }

    private void listen() {
        long backoffMs = 100;
        while (running) {
            try (Connection connection =
                            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
                    Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + CHANNEL);
                statement.execute("LISTEN " + WEBHOOK_CHANNEL);
                PGConnection pg = connection.unwrap(PGConnection.class);
                backoffMs = 100;
                wakeAll(); // whatever happened while not listening
                runQuietly(onWebhookDue);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(500);
                    if (notifications != null) {
                        boolean webhookDue = false;
                        for (PGNotification notification : notifications) {
                            if (WEBHOOK_CHANNEL.equals(notification.getName())) {
                                webhookDue = true;
                            } else {
                                wake(notification.getParameter());
                            }
                        }
                        if (webhookDue) {
                            runQuietly(onWebhookDue);
                        }
                    }
                }
            } catch (SQLException e) {
                if (running) {
                    LOG.warn("lost the {} listener, reconnecting in {} ms: {}", CHANNEL, backoffMs, e.toString());
                    wakeAll();
                    sleep(backoffMs);
                    backoffMs = Math.min(5_000, backoffMs * 2);
                }
            }
        }
    }

    private static void runQuietly(Runnable wake) {
        try {
            wake.run();
        } catch (RuntimeException e) {
            LOG.warn("waking a waiting client failed: {}", e.toString());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        listener.interrupt();
        try {
            listener.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        wakeAll();
    }
}
