package io.askpipe.common.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jooq.ConnectionProvider;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.tools.jdbc.DefaultConnection;

/**
 * The jOOQ context a service builds over its connection pool: PostgreSQL's dialect, no execute
 * logging, and connections that know their isolation level without asking the server.
 *
 * <p>jOOQ's transactions read the connection's isolation level at every begin, to restore it if
 * the transaction changed it; askpipe never changes it, and pgjdbc answers every read with a round
 * trip ({@code SHOW TRANSACTION ISOLATION LEVEL}): a statement more per transaction, on every
 * batch of the ledger, the router's results and the result store (docs/benchmarks.md, "Where the
 * time goes"). The level is read from the server once per pool instead.
 */
public final class Jooq {
    private Jooq() {}

    /** A context over {@code dataSource}, each statement or transaction on a connection of it. */
    public static DSLContext using(DataSource dataSource) {
        return DSL.using(new DefaultConfiguration()
                .set(SQLDialect.POSTGRES)
                .set(new KnownIsolation(dataSource))
                // jOOQ logs each statement at DEBUG, which askpipe never enables; off, no listener runs
                .set(new Settings().withExecuteLogging(false)));
    }

    /** Connections of a pool whose isolation level is the pool's, read from the server once. */
    private static final class KnownIsolation implements ConnectionProvider {
        private static final int UNKNOWN = -1;

        private final DataSource dataSource;
        private final AtomicInteger level = new AtomicInteger(UNKNOWN);

        KnownIsolation(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        @Override
        public Connection acquire() {
            try {
                Connection connection = dataSource.getConnection();
                if (level.get() == UNKNOWN) {
                    level.set(connection.getTransactionIsolation());
                }
                int known = level.get();
                return new DefaultConnection(connection) {
                    @Override
                    public int getTransactionIsolation() {
                        return known;
                    }
                };
            } catch (SQLException e) {
                throw new DataAccessException("could not acquire a connection", e);
            }
        }

        @Override
        public void release(Connection connection) {
            try {
                connection.close();
            } catch (SQLException e) {
                throw new DataAccessException("could not release a connection", e);
            }
        }
    }
}
