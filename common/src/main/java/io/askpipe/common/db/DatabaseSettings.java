package io.askpipe.common.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import java.time.Duration;
import java.util.List;

/**
 * How a service reaches PostgreSQL.
 *
 * @param jdbcUrl {@code DATABASE_URL}, a {@code jdbc:postgresql://} URL, required
 * @param user {@code DATABASE_USER} (default postgres)
 * @param password {@code DATABASE_PASSWORD} (default empty); masked in {@link #toString()}
 * @param poolSize {@code DATABASE_POOL_SIZE}: connections in the pool (default 10)
 */
public record DatabaseSettings(String jdbcUrl, String user, String password, int poolSize) {
    public static final Setting<String> URL =
            Setting.text("DATABASE_URL").required().doc("`jdbc:postgresql://host:port/db`");
    public static final Setting<String> USER =
            Setting.text("DATABASE_USER").defaultsTo("postgres").doc("database user");
    public static final Setting<String> PASSWORD =
            Setting.text("DATABASE_PASSWORD").defaultsTo("").secret().doc("database password (masked in logs)");
    public static final Setting<Integer> POOL_SIZE =
            Setting.integer("DATABASE_POOL_SIZE", 1, 500).defaultsTo("10").doc("connections in the pool");

    public DatabaseSettings {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("DATABASE_URL must be a jdbc:postgresql: URL, got '" + jdbcUrl + "'");
        }
    }

    public static DatabaseSettings fromEnv(Env env) {
        return new DatabaseSettings(env.get(URL), env.get(USER), env.get(PASSWORD), env.get(POOL_SIZE));
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return List.of(URL, USER, PASSWORD, POOL_SIZE);
    }

    /**
     * A connection pool for these settings whose connections work in {@code schema}; the caller
     * closes it. Each service owns one schema, so their migrations and tables never mix.
     */
    public HikariDataSource dataSource(String poolName, String schema) {
        return dataSource(poolName, schema, poolSize);
    }

    /**
     * {@link #dataSource(String, String)} with {@code schema} migrated by Flyway ({@link
     * FlywayMigrations#migrate}); the pool is closed again if the migration fails.
     */
    public HikariDataSource migratedDataSource(String poolName, String schema) {
        return migratedDataSource(poolName, schema, poolSize);
    }

    /** As {@link #migratedDataSource(String, String)}, with {@code connections} instead of the pool size. */
    public HikariDataSource migratedDataSource(String poolName, String schema, int connections) {
        HikariDataSource pool = dataSource(poolName, schema, connections);
        try {
            FlywayMigrations.migrate(pool, schema);
            return pool;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * Migrates {@code schema} (Flyway) over a pool of its own that is closed again; two connections,
     * since Flyway holds one for its lock while it migrates on another.
     */
    public void migrate(String poolName, String schema) {
        try (HikariDataSource pool = dataSource(poolName, schema, 2)) {
            FlywayMigrations.migrate(pool, schema);
        }
    }

    /**
     * As {@link #dataSource(String, String)}, each connection's session bounded: a statement waits
     * at most {@code lockTimeout} for a lock and runs at most {@code statementTimeout} in all
     * (PostgreSQL's {@code lock_timeout} and {@code statement_timeout}), then fails. Not for
     * migrations: Flyway waits on an advisory lock while another instance migrates.
     */
    public HikariDataSource dataSource(
            String poolName, String schema, Duration lockTimeout, Duration statementTimeout) {
        return dataSource(poolName, schema, poolSize, lockTimeout, statementTimeout);
    }

    /**
     * As {@link #dataSource(String, String, Duration, Duration)} with {@code connections}; besides,
     * a server that stops answering altogether (where its own timeouts cannot fire) fails a
     * statement on the driver's socket timeout, a second past {@code statementTimeout}.
     */
    public HikariDataSource dataSource(
            String poolName, String schema, int connections, Duration lockTimeout, Duration statementTimeout) {
        HikariConfig config = config(poolName, schema, connections);
        config.addDataSourceProperty("socketTimeout", String.valueOf(statementTimeout.toSeconds() + 2));
        config.setConnectionInitSql("SELECT set_config('lock_timeout', '" + lockTimeout.toMillis()
                + "ms', false), set_config('statement_timeout', '" + statementTimeout.toMillis() + "ms', false)");
        return new HikariDataSource(config);
    }

    /** As {@link #dataSource(String, String)}, with {@code connections} instead of the pool size. */
    public HikariDataSource dataSource(String poolName, String schema, int connections) {
        return new HikariDataSource(config(poolName, schema, connections));
    }

    private HikariConfig config(String poolName, String schema, int connections) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(poolName);
        config.setSchema(schema);
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(connections);
        // fail fast when the database is down: a reader gets a 503, a writer retries
        config.setConnectionTimeout(5_000);
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        return config;
    }

    @Override
    public String toString() {
        return "DatabaseSettings[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=****, poolSize=" + poolSize + "]";
    }
}
