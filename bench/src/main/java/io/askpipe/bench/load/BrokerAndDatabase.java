package io.askpipe.bench.load;

import io.askpipe.embedded.EmbeddedKafka;
import io.askpipe.embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The broker and the PostgreSQL server of a split-core run, in a process of their own: started
 * as the development stack starts its own ({@code kafka/} and {@code postgres/} under a data
 * directory, on given ports, the stack's database {@code askpipe} created), their addresses
 * printed and a file written once both accept clients, and both stopped when the standard input
 * closes (the load generator ended) or on SIGTERM.
 *
 * <p>Arguments: the data directory, the broker's port, PostgreSQL's port, and the file to write
 * when ready.
 */
public final class BrokerAndDatabase {
    /** The database the stack uses, as the development stack names its own. */
    static final String DATABASE = "askpipe";

    private BrokerAndDatabase() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: BrokerAndDatabase DATA_DIR KAFKA_PORT POSTGRES_PORT READY_FILE");
            System.exit(2);
        }
        Path dataDir = Path.of(args[0]);
        EmbeddedKafka kafka = EmbeddedKafka.persistent(dataDir.resolve("kafka"), Integer.parseInt(args[1]));
        EmbeddedPostgresServer postgres = null;
        try {
            kafka.start();
            postgres = EmbeddedPostgresServer.persistent(dataDir.resolve("postgres"), Integer.parseInt(args[2]));
            String jdbcUrl = postgres.createDatabase(DATABASE);
            System.out.println("Kafka bootstrap  " + kafka.bootstrapServers());
            System.out.println("JDBC URL         " + jdbcUrl + "  (user " + postgres.user() + ")");
        } catch (RuntimeException e) {
            stop(postgres, kafka);
            throw e;
        }
        EmbeddedPostgresServer database = postgres;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(database, kafka), "broker-and-database-stop"));
        Files.writeString(Path.of(args[3]), "ready\n");
        System.out.println("broker and database ready; they stop when the standard input closes");
        while (System.in.read() >= 0) {
            // the load generator writes nothing: wait for the end of the stream
        }
        System.exit(0); // runs the hook
    }

    private static void stop(EmbeddedPostgresServer postgres, EmbeddedKafka kafka) {
        try {
            if (postgres != null) {
                postgres.close();
            }
        } finally {
            kafka.close();
        }
    }
}
