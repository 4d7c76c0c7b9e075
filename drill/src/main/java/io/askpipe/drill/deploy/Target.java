package io.askpipe.drill.deploy;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * What a drill runs against: a deployment it starts and supervises ({@link Deployment}), or one
 * that is already running ({@link RunningDeployment}), which it can load and check but not kill.
 */
public interface Target extends AutoCloseable {
    /** Where asks are submitted. */
    URI ingest();

    /** Where {@code /metrics} tells the faults injected, when the drill cannot read the services' logs. */
    URI metrics();

    String apiKey();

    /** The user of {@link #apiKey()}. */
    String userId();

    String bootstrapServers();

    /** A connection to the deployment's database, where the result store's rows are. */
    Connection database() throws SQLException;

    /** The processes the drill runs and supervises; empty when it did not start them. */
    List<ServiceProcess> services();

    List<ServiceProcess> workers();

    Optional<ServiceProcess> store();

    @Override
    void close();
}
