package io.askpipe.drill;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.common.config.ConfigException;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A deployment that is already running, such as {@code ./askpipe dev}: one client URL, one
 * operations URL, its broker
 * and its database. Chaos is whatever its own {@code CHAOS_*} variables say; the drill submits,
 * waits and checks, and cannot kill anything.
 */
final class RunningDeployment implements Target {
    private final DrillOptions.Running running;
    private final String userId;
    /** The drill's own connections, for its checks. */
    private final HikariDataSource pool;

    private RunningDeployment(DrillOptions.Running running, String userId) {
        this.running = running;
        this.userId = userId;
        this.pool = running.database().dataSource("askpipe-drill", "store", 2);
    }

    /** Checks that the API key is one of the deployment's and finds its user. */
    static RunningDeployment attach(DrillOptions.Running running) {
        try (AuthService auth = AuthService.start(running.database(), new AuthSettings(Duration.ofSeconds(30)))) {
            String userId = auth.accounts()
                    .authenticate(running.apiKey())
                    .orElseThrow(() -> new ConfigException("the API key is not a usable key of the deployment at "
                            + running.database().jdbcUrl()))
                    .userId();
            return new RunningDeployment(running, userId);
        }
    }

    @Override
    public URI ingest() {
        return running.url();
    }

    @Override
    public URI metrics() {
        return running.ops().resolve("/metrics");
    }

    @Override
    public String apiKey() {
        return running.apiKey();
    }

    @Override
    public String userId() {
        return userId;
    }

    @Override
    public String bootstrapServers() {
        return running.bootstrapServers();
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
