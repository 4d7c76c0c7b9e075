package io.askpipe.bench.cost;

import io.askpipe.bench.load.DatabaseProcesses;
import io.askpipe.common.config.Env;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.embedded.EmbeddedKafka;
import io.askpipe.embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * The infrastructure the steps run on, in this JVM as the benchmarks start it: an embedded broker
 * with askpipe's topics created by the topic registry (the deployment's default partitions), once
 * under a prefix for the asks and once for the transactional produce, and an embedded PostgreSQL
 * with a database of its own, whose processes are watched for their CPU time.
 */
final class CostStack implements AutoCloseable {
    private static final String DATABASE = "cost";

    private final EmbeddedKafka broker;
    private final EmbeddedPostgresServer postgres;
    private final KafkaSettings kafka;
    private final KafkaSettings transactionalKafka;
    private final DatabaseSettings database;
    private final DatabaseProcesses databaseProcesses;

    private CostStack(
            EmbeddedKafka broker,
            EmbeddedPostgresServer postgres,
            KafkaSettings kafka,
            KafkaSettings transactionalKafka,
            DatabaseSettings database,
            DatabaseProcesses databaseProcesses) {
        this.broker = broker;
        this.postgres = postgres;
        this.kafka = kafka;
        this.transactionalKafka = transactionalKafka;
        this.database = database;
        this.databaseProcesses = databaseProcesses;
    }

    /** Starts the broker and the database and creates the topics; stops what started if a later part fails. */
    static CostStack start() throws SQLException {
        EmbeddedKafka broker = EmbeddedKafka.temporary().start();
        EmbeddedPostgresServer postgres = null;
        try {
            postgres = EmbeddedPostgresServer.temporary();
            String jdbcUrl = postgres.createDatabase(DATABASE);
            DatabaseSettings database = new DatabaseSettings(jdbcUrl, postgres.user(), postgres.password(), 4);
            KafkaSettings kafka = settings(broker, "cost.");
            KafkaSettings transactionalKafka = settings(broker, "cost-eos.");
            TopicProvisioner.ensure(kafka, "cost-admin");
            TopicProvisioner.ensure(transactionalKafka, "cost-admin");
            return new CostStack(
                    broker,
                    postgres,
                    kafka,
                    transactionalKafka,
                    database,
                    DatabaseProcesses.byPidFile(dataDirectory(database)));
        } catch (Throwable e) { // an error too: the broker's threads would keep the JVM alive
            if (postgres != null) {
                postgres.close();
            }
            broker.close();
            throw e;
        }
    }

    /** The settings a deployment with {@code prefix} on the broker reads from its environment, defaults elsewhere. */
    private static KafkaSettings settings(EmbeddedKafka broker, String prefix) {
        return KafkaSettings.fromEnv(Env.of(Map.of(
                KafkaSettings.BOOTSTRAP_SERVERS.name(),
                broker.bootstrapServers(),
                KafkaSettings.TOPIC_PREFIX.name(),
                prefix)));
    }

    private static Path dataDirectory(DatabaseSettings database) throws SQLException {
        try (var connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
                var rows = connection.createStatement().executeQuery("SHOW data_directory")) {
            rows.next();
            return Path.of(rows.getString(1));
        }
    }

    /** The asks' topics (prefix {@code cost.}). */
    KafkaSettings kafka() {
        return kafka;
    }

    /** The transactional produce's topics (prefix {@code cost-eos.}), apart from the asks'. */
    KafkaSettings transactionalKafka() {
        return transactionalKafka;
    }

    DatabaseSettings database() {
        return database;
    }

    /** PostgreSQL's postmaster and its descendants. */
    DatabaseProcesses databaseProcesses() {
        return databaseProcesses;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } finally {
            broker.close();
        }
    }
}
