package io.askpipe.router.limit;

import io.askpipe.common.db.DatabaseSettings;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
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
 * here and never asked for twice. Thread-safe: the connection is used by one thread at a time.
 */
final class ConcurrencySlots implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConcurrencySlots.class);

    /** A slot held: release it once the call ended. */
    record Slot(int key, int index) {}

    private final DatabaseSettings database;
    /** Slots this worker holds, as {@code key:index}; guarded by this. */
    private final Set<Slot> held = new HashSet<>();

    private Connection connection;

    ConcurrencySlots(DatabaseSettings database) {
        this.database = database;
    }

    /** The advisory lock key of {@code name}: its CRC-32, in the two-key space askpipe keeps for slots. */
    static int key(String name) {
        CRC32 crc = new CRC32();
        crc.update(("askpipe.slots/" + name).getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    /** A free slot of {@code name}'s {@code limit}, taken; empty when all are in use. */
    synchronized Optional<Slot> tryTake(String name, int limit) {
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

    /** Gives {@code slot} back. */
    synchronized void release(Slot slot) {
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

    /** Slots this worker holds. */
    synchronized int held() {
        return held.size();
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
     * The connection failed: its session, and every slot it held, may be gone; a new one is opened
     * at the next take. A call still running on a lost slot may overlap one that takes it anew.
     */
    private void lost(SQLException e) {
        LOG.warn("the connection holding the concurrency slots failed; they are released: {}", e.getMessage());
        held.clear();
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // closing a failed connection
        }
        connection = null;
    }

    @Override
    public synchronized void close() {
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
}
