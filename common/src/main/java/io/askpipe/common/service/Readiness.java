package io.askpipe.common.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * What {@code GET /readyz} checks: each component a service needs, by name, with a check that says
 * whether it is up now (a database that answers, a consumer that holds its assignment). Checks may
 * block briefly; the route runs them off the event loop.
 * Thread-safe.
 */
public final class Readiness {
    private final Map<String, BooleanSupplier> checks = new LinkedHashMap<>();

    /** Adds the check of {@code component}. */
    public synchronized Readiness add(String component, BooleanSupplier up) {
        checks.put(component, up);
        return this;
    }

    /** Adds {@code other}'s checks, their names prefixed with {@code prefix} and a dot. */
    public synchronized Readiness include(String prefix, Readiness other) {
        other.copy().forEach((component, up) -> checks.put(prefix + "." + component, up));
        return this;
    }

    /** Each component with whether it is up now, in the order they were added; a check that throws is down. */
    public Map<String, Boolean> check() {
        Map<String, Boolean> results = new LinkedHashMap<>();
        copy().forEach((component, up) -> {
            boolean ok;
            try {
                ok = up.getAsBoolean();
            } catch (RuntimeException e) {
                ok = false;
            }
            results.put(component, ok);
        });
        return results;
    }

    /** A check that {@code dataSource} hands out a connection that answers within a second. */
    public static BooleanSupplier database(DataSource dataSource) {
        return () -> {
            try (Connection connection = dataSource.getConnection()) {
                return connection.isValid(1);
            } catch (SQLException e) {
                return false;
            }
        };
    }

    /** A check that the cluster {@code admin} talks to answers within a second. */
    public static BooleanSupplier kafka(Admin admin) {
        return () -> {
            try {
                return !admin.describeCluster(new DescribeClusterOptions().timeoutMs(1_000))
                        .nodes()
                        .get(2, TimeUnit.SECONDS)
                        .isEmpty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException | TimeoutException e) {
                return false;
            }
        };
    }

    private synchronized Map<String, BooleanSupplier> copy() {
        return new LinkedHashMap<>(checks);
    }
}
