package io.askpipe.store.api;

import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.retry.Backoff;
import io.askpipe.store.notify.Notifications;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients long-polling {@code GET /v1/ask/{id}?wait=N}, and the one thread per instance that
 * wakes them. Whichever result-store instance writes a terminal result sends a PostgreSQL {@code
 * NOTIFY} on {@link Notifications#ASK_DONE} with the request id; every instance {@code LISTEN}s on
 * one dedicated connection and wakes its waiters for that id. A waiting client costs a map entry and
 * a timer: no thread, and no query until it is woken. If the listening connection is lost,
 * notifications may be lost with it, so every waiter is woken to look again. The same connection
 * listens on {@link Notifications#WEBHOOK_DUE} for the webhook dispatcher.
 *
 * <p>Waiting clients are bounded on the instance and per user ({@code STORE_MAX_WAITERS}, {@code
 * STORE_MAX_WAITERS_PER_USER}). Thread-safe: registration, wake-ups and cancellations may race.
 */
public final class AskWaiters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AskWaiters.class);

    private final Map<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    /** Waiting clients by user; a user's entry goes when its last client stops waiting. */
    private final Map<String, Integer> byUser = new ConcurrentHashMap<>();

    private final LongAdder refusedInstance = new LongAdder();
    private final LongAdder refusedUser = new LongAdder();
    private final int max;
    private final int maxPerUser;
    private final DatabaseSettings database;
    private final Thread listener;
    private volatile Runnable onWebhookDue = () -> {};
    private volatile boolean running = true;

    private AskWaiters(DatabaseSettings database, int max, int maxPerUser) {
        this.database = database;
        this.max = max;
        this.maxPerUser = maxPerUser;
        this.listener =
                Thread.ofPlatform().name("askpipe-ask-listener").daemon().unstarted(this::listen);
    }

    /**
     * Starts listening for notifications; at most {@code max} clients may wait at once, and at most
     * {@code maxPerUser} of one user.
     */
    public static AskWaiters start(DatabaseSettings database, int max, int maxPerUser) {
        AskWaiters waiters = new AskWaiters(database, max, maxPerUser);
        waiters.listener.start();
        return waiters;
    }

    /** What {@link #register} did: the client waits (and how to stop waiting), or it was refused. */
    sealed interface Registration permits Waiting, Refused {}

    /** The client waits; {@code cancel} stops it waiting (at a timeout, a disconnect); idempotent. */
    record Waiting(Runnable cancel) implements Registration {}

    /** The client may not wait: this instance has {@link #INSTANCE_FULL} or its user {@link #USER_FULL}. */
    public enum Refused implements Registration {
        INSTANCE_FULL,
        USER_FULL
    }

    /**
     * Runs {@code wake} (once, on the listener thread) when {@code requestId} may have become
     * terminal, unless the wait is cancelled first; {@code userId} is whose client waits. Refused
     * when too many clients wait already, on this instance or of this user.
     *
     * <p>Every admitted client is counted out exactly once, by whichever comes first of its wake-up
     * and its cancellation, however they race each other and the registration itself.
     */
    Registration register(String requestId, String userId, Runnable wake) {
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            refusedInstance.increment();
            return Refused.INSTANCE_FULL;
        }
        boolean[] admitted = {false};
        byUser.compute(userId, (user, n) -> {
            int waiting = n == null ? 0 : n;
            if (waiting >= maxPerUser) {
                return n;
            }
            admitted[0] = true;
            return waiting + 1;
        });
        if (!admitted[0]) {
            count.decrementAndGet();
            refusedUser.increment();
            return Refused.USER_FULL;
        }
        Waiter waiter = new Waiter(userId, wake);
        // compute, not computeIfAbsent(...).add: a wake-up that removes the set in between would
        // leave the waiter in a set nobody looks at any more
        waiters.compute(requestId, (id, set) -> {
            Set<Waiter> into = set != null ? set : ConcurrentHashMap.newKeySet();
            into.add(waiter);
            return into;
        });
        return new Waiting(() -> {
            waiters.computeIfPresent(requestId, (id, set) -> {
                set.remove(waiter);
                return set.isEmpty() ? null : set;
            });
            waiter.release();
        });
    }

    /** One waiting client; {@link #release} counts it out, once. */
    private final class Waiter {
        private final String userId;
        private final Runnable wake;
        private final AtomicBoolean released = new AtomicBoolean();

        Waiter(String userId, Runnable wake) {
            this.userId = userId;
            this.wake = wake;
        }

        /** Counts this client out; true only for the call that did. */
        boolean release() {
            if (!released.compareAndSet(false, true)) {
                return false;
            }
            byUser.computeIfPresent(userId, (user, n) -> n <= 1 ? null : n - 1);
            count.decrementAndGet();
            return true;
        }
    }

    /** Runs {@code wake} whenever a webhook delivery becomes due, on any instance. */
    public void onWebhookDue(Runnable wake) {
        this.onWebhookDue = wake;
    }

    /** How many clients wait now. */
    public int waiting() {
        return count.get();
    }

    /** How many of {@code userId}'s clients wait now. */
    int waiting(String userId) {
        return byUser.getOrDefault(userId, 0);
    }

    /** How many users have clients waiting now. */
    public int waitingUsers() {
        return byUser.size();
    }

    /** Long polls refused so far because this instance, or the caller, had too many waiting. */
    public long refused(Refused reason) {
        return reason == Refused.INSTANCE_FULL ? refusedInstance.sum() : refusedUser.sum();
    }

    /** Wakes every client waiting for {@code requestId}. */
    void wake(String requestId) {
        Set<Waiter> woken = waiters.remove(requestId);
        if (woken != null) {
            for (Waiter waiter : woken) {
                if (waiter.release()) { // not cancelled meanwhile
                    runQuietly(waiter.wake);
                }
            }
        }
    }

    private void wakeAll() {
        waiters.keySet().forEach(this::wake);
    }

    private void listen() {
        Backoff.Delays delays = Backoff.INFRASTRUCTURE.delays();
        while (running) {
            try (Connection connection =
                            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
                    Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + Notifications.ASK_DONE);
                statement.execute("LISTEN " + Notifications.WEBHOOK_DUE);
                PGConnection pg = connection.unwrap(PGConnection.class);
                delays = Backoff.INFRASTRUCTURE.delays();
                wakeAll(); // whatever happened while not listening
                runQuietly(onWebhookDue);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(500);
                    if (notifications != null) {
                        boolean webhookDue = false;
                        for (PGNotification notification : notifications) {
                            if (Notifications.WEBHOOK_DUE.equals(notification.getName())) {
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
                    long delayMs = delays.next().toMillis();
                    LOG.warn(
                            "lost the {} listener, reconnecting in {} ms: {}",
                            Notifications.ASK_DONE,
                            delayMs,
                            e.toString());
                    wakeAll();
                    sleep(delayMs);
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
