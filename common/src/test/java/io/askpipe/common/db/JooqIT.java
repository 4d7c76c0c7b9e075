package io.askpipe.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JooqIT {
    private HikariDataSource pool;
    /** How often the server was asked for a connection's isolation level. */
    private final AtomicInteger isolationReads = new AtomicInteger();

    @BeforeEach
    void start() {
        EmbeddedPostgresServer postgres = SharedInfrastructure.postgres();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.createDatabase(SharedInfrastructure.uniqueName("jooq")));
        config.setUsername(postgres.user());
        config.setPassword(postgres.password());
        config.setMaximumPoolSize(2);
        pool = new HikariDataSource(config);
    }

    @AfterEach
    void stop() {
        pool.close();
    }

    /** The pool, counting the isolation reads that reach the driver (each a round trip in pgjdbc). */
    private DataSource counting() {
        return (DataSource) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Object result = method.invoke(pool, args);
                    if (!(result instanceof Connection connection)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(
                            getClass().getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
                                if (m.getName().equals("getTransactionIsolation")) {
                                    isolationReads.incrementAndGet();
                                }
                                return m.invoke(connection, a);
                            });
                });
    }

    @Test
    void transactionsCommitAndRollBackWithoutAskingForTheIsolationLevelEachTime() {
        DSLContext db = Jooq.using(counting());
        db.createTable("t").column("n", SQLDataType.INTEGER).execute();

        for (int i = 0; i < 5; i++) {
            int n = i;
            db.transaction(tx -> tx.dsl().insertInto(DSL.table("t")).values(n).execute());
        }
        assertThatThrownBy(() -> db.transaction(tx -> {
                    tx.dsl().insertInto(DSL.table("t")).values(99).execute();
                    throw new IllegalStateException("rolled back");
                }))
                .hasMessageContaining("rolled back");

        assertThat(db.fetchCount(DSL.table("t")))
                .as("five committed, one rolled back")
                .isEqualTo(5);
        assertThat(isolationReads).as("read once for the pool").hasValue(1);
        int counted = DSL.using(counting(), org.jooq.SQLDialect.POSTGRES)
                .transactionResult(tx -> tx.dsl().fetchCount(DSL.table("t")));
        assertThat(counted).isEqualTo(5);
        assertThat(isolationReads).as("jOOQ's default asks at every begin").hasValue(2);
    }
}
