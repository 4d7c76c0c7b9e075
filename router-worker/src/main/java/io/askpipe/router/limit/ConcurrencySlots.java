package io.askpipe.router.limit;

import io.askpipe.common.db.DatabaseSettings;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls at once to a backend (or a backend's model) across every worker, as PostgreSQL session
 * advisory locks held on one dedicated connection of this worker: slot {@code i} of {@code n} is
 * the lock {@code (key of the name, i)}. A worker that dies, or loses its connection, loses its
 * session and with it every slot it held, so nothing leaks past a crash (docs/adr/0026).
 *
 * <p>Session locks are re-entrant within a session, so the slots this worker holds are also kept
 * here and never asked for twice. The connection is used only by a platform thread of its own:
 * an ask's thread hands it each take and release and waits for it, so that a cancel, which
 * interrupts the ask's virtual thread, never interrupts the connection's socket I/O (which would
 * close the connection and give back every slot of the worker while their calls still run).
 * Thread-safe.
 */
final class ConcurrencySlots implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConcurrencySlots.class);
    /** How long {@link #close()} waits for the statement in progress before it closes the connection. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    /** A slot held: release it once the call ended. */
    record Slot(int key, int index) {}

    private final DatabaseSettings database;
    /** The one thread that uses the connection, and {@link #held}. */
    private final ExecutorService connectionThread;
    /** Slots this worker holds; changed on the connection's thread only. */
    private final Set<Slot> held = ConcurrentHashMap.newKeySet();

    /** Used on the connection's thread only. */
    private Connection connection;

    ConcurrencySlots(DatabaseSettings database) {
        this.database = database;
        this.connectionThread = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("router-slots").daemon().factory());
    }

    /** The advisory lock key of {@code name}: its CRC-32, in the two-key space askpipe keeps for slots. */
    static int key(String name) {
        CRC32 crc = new CRC32();
        crc.update(("askpipe.slots/" + name).getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    /**
     * A free slot of {@code name}'s {@code limit}, taken; empty when all are in use.
     *
     * @throws InterruptedException when the calling thread is interrupted while it waits: no slot is
     *     kept (one taken meanwhile is released)
     */
    Optional<Slot> tryTake(String name, int limit) throws InterruptedException {
        AtomicBoolean gaveUp = new AtomicBoolean();
        Future<Optional<Slot>> take =
                connectionThread.submit(() -> gaveUp.get() ? Optional.<Slot>empty() : take(name, limit));
        try {
            return take.get();
        } catch (InterruptedException e) {
            // not cancelled: a FutureTask cancelled as it runs still takes its slot, and drops it.
            // A take not started yet takes nothing; one under way or done gives its slot back
            // right after (the thread runs one task at a time, in order)
            gaveUp.set(true);
            try {
                connectionThread.execute(() -> abandoned(take));
            } catch (RejectedExecutionException closed) {
                // closed: the session, and whatever it took, are gone
            }
            throw e;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        }
    }

    /** Gives {@code slot} back; waits for it even when the calling thread is interrupted. */
    void release(Slot slot) {
        Future<?> release;
        try {
            release = connectionThread.submit(() -> unlock(slot));
        } catch (RejectedExecutionException e) {
            return; // closed: the session, and its locks, are gone
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    release.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // the slot must go back all the same; the interrupt is kept
                } catch (ExecutionException e) {
                    LOG.warn(
                            "could not release a concurrency slot: {}",
                            e.getCause().toString());
                    return;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Slots this worker holds. */
    int held() {
        return held.size();
    }

    /** On the connection's thread: takes a free slot of {@code name}'s {@code limit}. */
    private Optional<Slot> take(String name, int limit) {
        int key = key(name);
        try {
            Connection db = connection();
            for (int index = 0; index < limit; index++) {
                Slot slot = new Slot(key, index);
                if (held.contains(slot)) {
                    continue;
                }
                try (PreparedStatement lock = db.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
                    lock.setInt(1, key);
                    lock.setInt(2, index);
                    try (ResultSet rs = lock.executeQuery()) {
                        rs.next();
                        if (rs.getBoolean(1)) {
                            held.add(slot);
                            return Optional.of(slot);
                        }
                    }
                }
            }
            return Optional.empty();
        } catch (SQLException e) {
            lost(e);
            throw new IllegalStateException("could not take a slot of " + name + ": " + e.getMessage(), e);
        }
    }

    /** On the connection's thread: releases the slot a take its caller gave up on took, if any. */
    private void abandoned(Future<Optional<Slot>> take) {
        if (take.state() == Future.State.SUCCESS) {
            take.resultNow().ifPresent(this::unlock);
        }
    }

    /** On the connection's thread: gives {@code slot} back. */
    private void unlock(Slot slot) {
        if (!held.remove(slot)) {
            return; // lost with its connection
        }
        try (PreparedStatement unlock = connection().prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
            unlock.setInt(1, slot.key());
            unlock.setInt(2, slot.index());
            unlock.execute();
        } catch (SQLException e) {
            lost(e);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            Properties props = new Properties();
            props.setProperty("user", database.user());
            props.setProperty("password", database.password());
            props.setProperty("ApplicationName", "askpipe-router-slots");
            // a database that stops answering fails the take (the ask waits and asks again) rather
            // than holding every backend's waiting asks behind one statement
            props.setProperty("connectTimeout", "10");
            props.setProperty("socketTimeout", "10");
            connection = DriverManager.getConnection(database.jdbcUrl(), props);
        }
        return connection;
    }

    /**
     * On the connection's thread: the connection failed: its session, and every slot it held, may
     * be gone; a new one is opened at the next take. A call still running on a lost slot may overlap
     * one that takes it anew.
     */
    private void lost(SQLException e) {
        LOG.warn("the connection holding the concurrency slots failed; they are released: {}", e.getMessage());
        closeConnection();
    }

    private void closeConnection() {
        held.clear();
        try {
            if (connection != null) {
                connection.close(); // the session ends, and its locks with it
            }
        } catch (SQLException e) {
            LOG.debug("closing the slots' connection: {}", e.getMessage());
        }
        connection = null;
    }

    /** Gives back every slot this worker holds: the connection closes, and its session's locks go with it. */
    @Override
    public void close() {
        try {
            connectionThread.execute(this::closeConnection);
        } catch (RejectedExecutionException e) {
            return; // closed already
        }
        connectionThread.shutdown();
        try {
            if (!connectionThread.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("the slots' connection did not close within {}", CLOSE_WAIT);
                connectionThread.shutdownNow();
            }
        } catch (InterruptedException e) {
            connectionThread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
