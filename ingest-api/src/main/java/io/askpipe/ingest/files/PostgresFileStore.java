package io.askpipe.ingest.files;

import static io.askpipe.ingest.db.Tables.FILES;

import io.askpipe.ingest.api.RequestIds;
import io.askpipe.ingest.db.tables.records.FilesRecord;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link FileStore} in PostgreSQL (schema {@code ingest}: a row of {@code files} per file, its
 * content in {@code file_chunks} of 1 MiB), through jOOQ; besides, the listing and deletion that
 * {@code /v1/files} offers and the purge that the housekeeping runs. Every statement moves at most
 * one chunk, so the pool's statement timeout bounds each of them whatever a file's size. A file
 * deleted is only marked so, at once invisible; the purge removes its content later, as it does
 * for expired files and for unfinished ones (a writer closed or dead) an hour after their start.
 *
 * <p>Thread-safe; a {@link FileStore.Writer} or a stream from {@link #open} belongs to one thread.
 */
public final class PostgresFileStore implements FileStore {
    /** How long after its start an unfinished file is taken for abandoned. */
    static final Duration ABANDONED_AFTER = Duration.ofHours(1);
    /** The most files one {@link #purge()} looks at. */
    private static final int PURGE_FILES = 100;
    /** The most chunks one {@link #purge()} deletes. */
    private static final int PURGE_CHUNKS = 256;
    /** The most chunks one statement deletes. */
    private static final int CHUNKS_PER_STATEMENT = 16;

    private static final Logger LOG = LoggerFactory.getLogger(PostgresFileStore.class);

    private final DSLContext db;
    private final Chunks chunks;
    private final Clock clock;

    /** The store on {@code db} (its pool's statement timeout long enough for a chunk), at {@code clock}'s time. */
    public PostgresFileStore(DSLContext db, Clock clock) {
        this.db = db;
        this.chunks = new Chunks(db);
        this.clock = clock;
    }

    @Override
    public StoredFile create(
            String userId, String purpose, String filename, InputStream content, Optional<Instant> expiresAt)
            throws IOException {
        try (Writer writer = writer(userId, purpose, filename, expiresAt)) {
            content.transferTo(writer.stream());
            return writer.finish();
        }
    }

    @Override
    public Writer writer(String userId, String purpose, String filename, Optional<Instant> expiresAt) {
        // to the microsecond, as PostgreSQL keeps them: the file finished says what find says
        StoredFile started = new StoredFile(
                "file-" + RequestIds.next(clock).toString().replace("-", ""),
                userId,
                purpose,
                filename,
                0,
                0,
                clock.instant().truncatedTo(ChronoUnit.MICROS),
                expiresAt.map(at -> at.truncatedTo(ChronoUnit.MICROS)));
        db.insertInto(FILES)
                .set(FILES.ID, started.id())
                .set(FILES.USER_ID, userId)
                .set(FILES.PURPOSE, purpose)
                .set(FILES.FILENAME, filename)
                .set(FILES.BYTES, 0L)
                .set(FILES.LINES, 0L)
                .set(FILES.CREATED_AT, utc(started.createdAt()))
                .set(
                        FILES.EXPIRES_AT,
                        started.expiresAt().map(PostgresFileStore::utc).orElse(null))
                .execute();
        return new ChunkWriter(this, chunks, started);
    }

    @Override
    public Optional<StoredFile> find(String userId, String fileId) {
        return db.selectFrom(FILES)
                .where(FILES.ID.eq(fileId))
                .and(FILES.USER_ID.eq(userId))
                .and(visible(clock.instant()))
                .fetchOptional()
                .map(PostgresFileStore::file);
    }

    @Override
    public InputStream open(StoredFile file) {
        return new ChunkReader(chunks, file);
    }

    /**
     * Up to {@code limit} of {@code userId}'s files (of {@code purpose}, if given), by creation
     * time, oldest first if {@code ascending}, else newest first; those after the file {@code
     * after} in that order, if given.
     */
    public FilePage list(
            String userId, Optional<String> purpose, Optional<String> after, int limit, boolean ascending) {
        Condition where = FILES.USER_ID.eq(userId).and(visible(clock.instant()));
        if (purpose.isPresent()) {
            where = where.and(FILES.PURPOSE.eq(purpose.get()));
        }
        if (after.isPresent()) {
            where = where.and(ascending ? FILES.ID.gt(after.get()) : FILES.ID.lt(after.get()));
        }
        List<StoredFile> files = db.selectFrom(FILES)
                .where(where)
                .orderBy(ascending ? FILES.ID.asc() : FILES.ID.desc())
                .limit(limit + 1)
                .fetch(PostgresFileStore::file);
        boolean more = files.size() > limit;
        return new FilePage(more ? files.subList(0, limit) : files, more);
    }

    /**
     * Deletes the file {@code fileId} if {@code userId} sees it ({@link #find}): it is gone for
     * every reader at once, its content purged later. Returns whether there was such a file.
     */
    public boolean delete(String userId, String fileId) {
        Instant now = clock.instant();
        return db.update(FILES)
                        .set(FILES.DELETED_AT, utc(now))
                        .where(FILES.ID.eq(fileId))
                        .and(FILES.USER_ID.eq(userId))
                        .and(visible(now))
                        .execute()
                == 1;
    }

    /**
     * Removes deleted and expired files and unfinished ones abandoned {@link #ABANDONED_AFTER}
     * after their start, in statements of a few chunks, up to a bounded number of files and chunks;
     * what is left waits for the next call. Returns how many files it removed.
     */
    public int purge() {
        Instant now = clock.instant();
        List<String> ids = db.select(FILES.ID)
                .from(FILES)
                .where(purgeable(now))
                .orderBy(FILES.ID)
                .limit(PURGE_FILES)
                .fetch(FILES.ID);
        int budget = PURGE_CHUNKS;
        int removed = 0;
        for (String id : ids) {
            int deleted = deleteChunks(id, budget);
            if (deleted == budget) {
                break; // maybe more of its chunks left: the next call goes on
            }
            budget -= deleted;
            removed += db.deleteFrom(FILES)
                    .where(FILES.ID.eq(id))
                    .and(purgeable(now))
                    .execute();
        }
        return removed;
    }

    /** Makes {@code started}, written with {@code bytes} in {@code lines}, visible; returns it so. */
    StoredFile finish(StoredFile started, long bytes, long lines) throws IOException {
        int updated;
        try {
            updated = db.update(FILES)
                    .set(FILES.BYTES, bytes)
                    .set(FILES.LINES, lines)
                    .set(FILES.FINISHED_AT, utc(clock.instant()))
                    .where(FILES.ID.eq(started.id()))
                    .and(FILES.FINISHED_AT.isNull())
                    .execute();
        } catch (DataAccessException e) {
            throw new IOException("file " + started.id() + " could not be finished", e);
        }
        if (updated != 1) {
            throw new IOException("file " + started.id() + " was purged before it was finished");
        }
        return new StoredFile(
                started.id(),
                started.userId(),
                started.purpose(),
                started.filename(),
                bytes,
                lines,
                started.createdAt(),
                started.expiresAt());
    }

    /** Removes the unfinished file {@code fileId} now; if that fails, the purge does later. */
    void discard(String fileId) {
        try {
            deleteChunks(fileId, Integer.MAX_VALUE);
            db.deleteFrom(FILES)
                    .where(FILES.ID.eq(fileId))
                    .and(FILES.FINISHED_AT.isNull())
                    .execute();
        } catch (DataAccessException e) {
            LOG.warn("unfinished file {} not discarded now, the purge will: {}", fileId, e.toString());
        }
    }

    /** Deletes up to {@code most} chunks of {@code fileId}, a few a statement; returns how many. */
    private int deleteChunks(String fileId, int most) {
        int deleted = 0;
        while (deleted < most) {
            int asked = Math.min(most - deleted, CHUNKS_PER_STATEMENT);
            int done = chunks.delete(fileId, asked);
            deleted += done;
            if (done < asked) {
                break;
            }
        }
        return deleted;
    }

    /** Finished, not deleted, not expired at {@code now}. */
    private static Condition visible(Instant now) {
        return FILES.FINISHED_AT
                .isNotNull()
                .and(FILES.DELETED_AT.isNull())
                .and(FILES.EXPIRES_AT.isNull().or(FILES.EXPIRES_AT.gt(utc(now))));
    }

    /** Deleted, expired, or unfinished and abandoned at {@code now}. */
    private static Condition purgeable(Instant now) {
        return FILES.DELETED_AT
                .isNotNull()
                .or(FILES.EXPIRES_AT.le(utc(now)))
                .or(FILES.FINISHED_AT.isNull().and(FILES.CREATED_AT.lt(utc(now.minus(ABANDONED_AFTER)))));
    }

    private static StoredFile file(FilesRecord row) {
        return new StoredFile(
                row.getId(),
                row.getUserId(),
                row.getPurpose(),
                row.getFilename(),
                row.getBytes(),
                row.getLines(),
                row.getCreatedAt().toInstant(),
                Optional.ofNullable(row.getExpiresAt()).map(OffsetDateTime::toInstant));
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
