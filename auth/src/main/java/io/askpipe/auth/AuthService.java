package io.askpipe.auth;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.Jooq;
import java.time.Clock;

/**
 * The accounts a service authenticates against: a small connection pool on schema {@code auth}
 * (migrated at start, so whichever service starts first creates it), the {@link Accounts} and
 * {@link QuotaOverrides} DAOs and the {@link BearerAuth} route handler. Every statement of the pool is bounded by the lookup
 * timeout (PostgreSQL's {@code lock_timeout} and {@code statement_timeout}, and the driver's socket
 * timeout for a server that does not answer at all), so a stalled database holds no request and no
 * worker thread for longer.
 */
public final class AuthService implements AutoCloseable {
    private static final int POOL_SIZE = 4;

    private final HikariDataSource dataSource;
    private final Accounts accounts;
    private final QuotaOverrides quotas;
    private final BearerAuth bearerAuth;

    private AuthService(HikariDataSource dataSource, AuthSettings settings) {
        this.dataSource = dataSource;
        this.accounts = new Accounts(Jooq.using(dataSource), Clock.systemUTC());
        this.quotas = new QuotaOverrides(Jooq.using(dataSource), Clock.systemUTC());
        this.bearerAuth = BearerAuth.over(accounts, settings.cacheTtl(), settings.lookupTimeout());
    }

    /** Migrates schema {@code auth} and connects to it. */
    public static AuthService start(DatabaseSettings database, AuthSettings settings) {
        database.migrate("askpipe-auth-migration", Accounts.SCHEMA);
        return new AuthService(
                database.dataSource(
                        "askpipe-auth",
                        Accounts.SCHEMA,
                        Math.min(POOL_SIZE, database.poolSize()),
                        settings.lookupTimeout(),
                        settings.lookupTimeout()),
                settings);
    }

    public Accounts accounts() {
        return accounts;
    }

    /** The users' quota overrides. */
    public QuotaOverrides quotas() {
        return quotas;
    }

    /** The handler to put before every client route. */
    public BearerAuth bearerAuth() {
        return bearerAuth;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
