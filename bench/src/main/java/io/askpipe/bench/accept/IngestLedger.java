package io.askpipe.bench.accept;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.config.Env;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.Jooq;
import io.askpipe.ingest.IngestConfig;
import io.askpipe.ingest.api.IngestRoutes;
import io.askpipe.ingest.ledger.AcceptedResponse;
import io.askpipe.ingest.ledger.AskLedger;
import io.askpipe.ingest.ledger.PostgresAskLedger;
import io.askpipe.ingest.quota.QuotaSettings;
import io.askpipe.schemas.AskRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Ingest's idempotency ledger ({@link PostgresAskLedger}) opened as ingest opens it: its schema
 * migrated, a pool whose connections carry the ledger's lock and statement timeouts, and the
 * claims' key lifetime, each the default of its setting. Claims and marks are those of {@code POST
 * /v1/ask}; concurrent callers share the ledger's batches as ingest's submits in flight do.
 * Thread-safe; closes its pool.
 */
public final class IngestLedger implements AutoCloseable {
    /** The defaults of every setting: what a deployment runs with unless told otherwise. */
    private static final Env DEFAULTS = Env.of(Map.of());

    private static final String METHOD = "POST";
    private static final int ACCEPTED = 202;

    private final HikariDataSource pool;
    private final PostgresAskLedger ledger;
    private final Duration ttl;
    private final Clock clock;

    private IngestLedger(HikariDataSource pool, PostgresAskLedger ledger, Duration ttl, Clock clock) {
        this.pool = pool;
        this.ledger = ledger;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Migrates ingest's schema on {@code database} and opens the ledger on a pool named {@code poolName}. */
    public static IngestLedger open(DatabaseSettings database, String poolName, Clock clock) {
        database.migrate(poolName + "-migration", PostgresAskLedger.SCHEMA);
        Duration statementTimeout = DEFAULTS.get(IngestConfig.LEDGER_STATEMENT_TIMEOUT);
        HikariDataSource pool = database.dataSource(
                poolName, PostgresAskLedger.SCHEMA, DEFAULTS.get(IngestConfig.LEDGER_LOCK_TIMEOUT), statementTimeout);
        PostgresAskLedger ledger = new PostgresAskLedger(
                Jooq.using(pool), statementTimeout, DEFAULTS.get(QuotaSettings.IN_FLIGHT_RETENTION));
        return new IngestLedger(pool, ledger, DEFAULTS.get(IngestConfig.IDEMPOTENCY_TTL), clock);
    }

    /**
     * Claims {@code ask}'s key for a submit whose body has {@code fingerprint}, as a fresh submit
     * does; fails if the claim does not win (the key was not fresh).
     */
    public void claim(AskRequest ask, String fingerprint) {
        Instant now = clock.instant();
        AskLedger.Claim claim = ledger.claim(ask, METHOD, IngestRoutes.ASK_PATH, fingerprint, now, now.plus(ttl));
        if (!(claim instanceof AskLedger.Claim.Won)) {
            throw new IllegalStateException("a fresh ask's claim did not win: " + claim);
        }
    }

    /** Records {@code ask}'s 202 for retries and waits until it is written. */
    public void markAccepted(AskRequest ask) {
        ledger.accepted(ask, METHOD, IngestRoutes.ASK_PATH, ACCEPTED, AcceptedResponse.body(ask));
    }

    /**
     * Hands the record of {@code ask}'s 202 to the ledger's next batch of marks without waiting, as
     * ingest does once Kafka acknowledged the ask; completes when it is written.
     */
    public CompletableFuture<Void> markAcceptedLater(AskRequest ask) {
        return ledger.acceptedLater(ask, METHOD, IngestRoutes.ASK_PATH, ACCEPTED, AcceptedResponse.body(ask));
    }

    @Override
    public void close() {
        try {
            ledger.close();
        } finally {
            pool.close();
        }
    }
}
