package io.askpipe.devstack;

import io.askpipe.auth.IssuedKey;
import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.log.LogSettings;
import io.askpipe.common.service.StartupException;
import io.askpipe.embedded.EmbeddedKafka;
import io.askpipe.embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the whole pipeline on embedded defaults: a Kafka broker, a PostgreSQL server, the three
 * services and one client port; issues a development API key (user {@code dev}, written to {@code
 * ASKPIPE_DEV_KEY_FILE}); prints where everything is and runs until Ctrl-C. With {@code
 * ASKPIPE_DATA_DIR} set, broker and database data survive restarts there; otherwise both live in
 * temporary directories removed on exit. With {@code KAFKA_BOOTSTRAP_SERVERS} or {@code
 * DATABASE_URL} set, the stack uses that broker or database instead of starting its own.
 */
public final class DevStackMain {
    private static final Logger LOG = LoggerFactory.getLogger(DevStackMain.class);

    private DevStackMain() {}

    /** Every setting the development stack's process reads, each once. */
    public static List<Setting<?>> settings() {
        return Setting.union(LogSettings.settings(), DevStackConfig.settings(), DevStack.settings());
    }

    public static void main(String[] args) throws InterruptedException {
        Env env = Env.system();
        try {
            LogSettings.apply(env, "devstack");
            run(DevStackConfig.fromEnv(env));
        } catch (ConfigException e) {
            System.err.println("askpipe: " + e.getMessage());
            System.exit(2);
        } catch (StartupException e) {
            System.exit(1); // run() said what failed
        }
    }

    private static void run(DevStackConfig config) throws InterruptedException {
        long started = System.nanoTime();
        Path dataDir = config.dataDir().orElse(null);
        int kafkaPort = config.kafkaPort();
        int postgresPort = config.postgresPort();
        // a broker or database of the operator's own replaces the embedded one
        Optional<String> givenBootstrap = config.bootstrapServers();
        Optional<DatabaseSettings> givenDatabase = config.database();

        EmbeddedKafka kafka = givenBootstrap.isPresent()
                ? null
                : dataDir == null
                        ? EmbeddedKafka.temporary()
                        : EmbeddedKafka.persistent(dataDir.resolve("kafka"), kafkaPort);
        EmbeddedPostgresServer postgres = null;
        DevStack stack = null;
        String bootstrap;
        String jdbcUrl;
        String dbUser;
        String dbPassword;
        try {
            if (kafka != null) {
                kafka.start();
            }
            bootstrap = givenBootstrap.orElseGet(() -> kafka.bootstrapServers());
            if (givenDatabase.isPresent()) {
                jdbcUrl = givenDatabase.get().jdbcUrl();
                dbUser = givenDatabase.get().user();
                dbPassword = givenDatabase.get().password();
            } else {
                postgres = dataDir == null
                        ? EmbeddedPostgresServer.temporary()
                        : EmbeddedPostgresServer.persistent(dataDir.resolve("postgres"), postgresPort);
                jdbcUrl = postgres.createDatabase("askpipe");
                dbUser = postgres.user();
                dbPassword = postgres.password();
            }
            Map<String, String> vars = new HashMap<>(System.getenv());
            // one process, restarted as itself: after a crash it takes its partitions back at once
            vars.putIfAbsent(
                    DevStackConfig.GROUP_INSTANCE_ID.name(),
                    DevStackConfig.GROUP_INSTANCE_ID.writtenDefault().orElseThrow());
            stack = DevStack.start(vars, bootstrap, jdbcUrl, dbUser, dbPassword);
        } catch (RuntimeException e) {
            LOG.error("askpipe dev stack failed to start: {}", e.getMessage());
            stop(stack, postgres, kafka);
            throw e;
        }

        String url = stack.clientUrl();
        IssuedKey devKey = stack.issueDevKey();
        Path keyFile = config.devKeyFile();
        writeKey(keyFile, devKey.secret());
        System.out.printf(
                """

                askpipe is up in %.1f s
                  client URL       %s
                  API key          %s  (user dev; also in %s)
                  Kafka bootstrap  %s
                  JDBC URL         %s  (user %s)
                  operations       %s  (/metrics, /readyz, /observability)

                  KEY=$(cat %s)
                  curl -s -X POST %s/v1/ask -H "Authorization: Bearer $KEY" \\
                       -H 'Content-Type: application/json' -H 'Idempotency-Key: hello-1' \\
                       -d '{"prompt":"Why is the sky blue?"}'

                Ctrl-C stops everything.
                %n""",
                (System.nanoTime() - started) / 1e9,
                url,
                devKey.secret(),
                keyFile,
                bootstrap,
                jdbcUrl,
                dbUser,
                stack.opsUrl(),
                keyFile,
                url);

        CountDownLatch stopped = new CountDownLatch(1);
        DevStack running = stack;
        EmbeddedPostgresServer db = postgres;
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("askpipe: stopping");
                            stop(running, db, kafka);
                            stopped.countDown();
                        },
                        "askpipe-shutdown"));
        stopped.await();
    }

    /** Writes the development key where only this user can read it. */
    private static void writeKey(Path file, String secret) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, secret + "\n");
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("could not write the development key to {}: {}", file, e.toString());
        }
    }

    private static void stop(DevStack stack, EmbeddedPostgresServer postgres, EmbeddedKafka kafka) {
        if (stack != null) {
            stack.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
