package io.askpipe.drill.deploy;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.common.config.ConfigException;
import io.askpipe.common.db.DatabaseSettings;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A deployment that is already running, such as {@code ./askpipe dev}: one client URL, one
 * operations URL, its broker and its database. Chaos is whatever its own {@code CHAOS_*} variables say; the drill submits,
 * waits and checks, and cannot kill anything.
 */
public final class RunningDeployment implements Target {
    /**
     * Where a running deployment is: its client URL, its operations URL (where {@code /metrics}
     * is), the API key to submit with, its broker and its database.
     */
    public record Address(URI url, URI ops, String apiKey, String bootstrapServers, DatabaseSettings database) {}

    private final Address address;
    private final String userId;
    /** The drill's own connections, for its checks. */
    private final HikariDataSource pool;

    private RunningDeployment(Address address, String userId) {
        this.address = address;
        this.userId = userId;
        this.pool = address.database().dataSource("askpipe-drill", "store", 2);
    }

    /** Checks that the API key is one of the deployment's and finds its user. */
    public static RunningDeployment attach(Address address) {
        try (AuthService auth = AuthService.start(address.database(), new AuthSettings(Duration.ofSeconds(30)))) {
            String userId = auth.accounts()
                    .authenticate(address.apiKey())
                    .orElseThrow(() -> new ConfigException("the API key is not a usable key of the deployment at "
                            + address.database().jdbcUrl()))
                    .userId();
            return new RunningDeployment(address, userId);
        }
    }

    @Override
    public URI ingest() {
        return address.url();
    }

    @Override
    public URI metrics() {
        return address.ops().resolve("/metrics");
    }

    @Override
    public String apiKey() {
        return address.apiKey();
    }

    @Override
    public String userId() {
        return userId;
    }

    @Override
    public String bootstrapServers() {
        return address.bootstrapServers();
    }

    @Override
    public Connection database() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public List<ServiceProcess> services() {
        return List.of();
    }

    @Override
    public List<ServiceProcess> workers() {
        return List.of();
    }

    @Override
    public Optional<ServiceProcess> store() {
        return Optional.empty();
    }

    @Override
    public void close() {
        pool.close(); // the deployment itself is not ours to stop
    }
}
