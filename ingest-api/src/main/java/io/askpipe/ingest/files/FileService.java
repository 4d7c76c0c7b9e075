package io.askpipe.ingest.files;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.Jooq;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Executor;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users' files as a running part of the ingest service: a pool of connections of their own,
 * the store on it, and the directory of this process that uploads are spooled in, opened together
 * and released by {@link #close()}. The pool has a few connections whose statements may run a
 * minute, long enough for a chunk of 1 MiB (or a thousand rows) on a loaded machine, where the
 * ledger's allow about a second. Thread-safe.
 */
public final class FileService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileService.class);
    private static final int CONNECTIONS = 4;
    private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(60);

    private final HikariDataSource dataSource;
    private final DSLContext db;
    private final PostgresFileStore store;
    private final Path spool;
    private final Clock clock;

    private FileService(HikariDataSource dataSource, Path spool, Clock clock) {
        this.dataSource = dataSource;
        this.db = Jooq.using(dataSource);
        this.store = new PostgresFileStore(db, clock);
        this.spool = spool;
        this.clock = clock;
    }

    /**
     * Opens the pool ({@code askpipe-ingest-files}) on {@code database}'s {@code schema}, already
     * migrated, and a spool directory among the system's temporary files.
     */
    public static FileService start(DatabaseSettings database, String schema, Clock clock) {
        HikariDataSource dataSource =
                database.dataSource("askpipe-ingest-files", schema, CONNECTIONS, LOCK_TIMEOUT, STATEMENT_TIMEOUT);
        try {
            return new FileService(dataSource, Files.createTempDirectory("askpipe-uploads-"), clock);
        } catch (IOException e) {
            dataSource.close();
            throw new UncheckedIOException("no temporary directory to spool uploads in", e);
        }
    }

    /** The files' pool, for statements that may move a chunk or many rows. */
    public DSLContext db() {
        return db;
    }

    public PostgresFileStore store() {
        return store;
    }

    /** Where uploads are spooled on their way into the store; nothing stays there for long. */
    public Path spool() {
        return spool;
    }

    /** {@code /v1/files} on the store, within {@code settings}, its storage work run on {@code blocking}. */
    public FileRoutes routes(FileSettings settings, Executor blocking) {
        return new FileRoutes(store, settings, spool, blocking, clock);
    }

    /** Closes the pool and deletes the spool directory with whatever uploads a stop cut short. */
    @Override
    public void close() {
        dataSource.close();
        try (var paths = Files.walk(spool)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("the spool directory {} was not deleted: {}", spool, e.toString());
        }
    }
}
