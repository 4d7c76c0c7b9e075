package io.askpipe.drill.deploy;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.auth.IssuedKey;
import io.askpipe.auth.User;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.embedded.EmbeddedKafka;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.FreePorts;
import io.askpipe.ingest.IngestMain;
import io.askpipe.router.RouterMain;
import io.askpipe.store.StoreMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A deployment of askpipe as an operator would run it, on this machine: an embedded Kafka broker
 * and PostgreSQL server in the drill's process, and each service as its own supervised JVM (one
 * ingest-api, some router workers, one result store) with chaos mode on. The drill's user and key
 * are created directly in the database, as {@code askpipe admin} would.
 */
public final class Deployment implements Target {
    static final int PARTITIONS = 6;
    /** The router's consumer group, whose offsets a replay resets. */
    public static final String ROUTER_GROUP = "askpipe-router";

    private final EmbeddedKafka kafka;
    private final EmbeddedPostgresServer postgres;
    /** The drill's own connections, for its checks. */
    private final HikariDataSource pool;

    private final ServiceProcess ingest;
    private final ServiceProcess store;
    private final List<ServiceProcess> workers;
    private final String userId;
    private final String apiKey;

    private Deployment(
            EmbeddedKafka kafka,
            EmbeddedPostgresServer postgres,
            HikariDataSource pool,
            ServiceProcess ingest,
            ServiceProcess store,
            List<ServiceProcess> workers,
            String userId,
            String apiKey) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.pool = pool;
        this.ingest = ingest;
        this.store = store;
        this.workers = workers;
        this.userId = userId;
        this.apiKey = apiKey;
    }

    /**
     * Starts the broker, the database and the services in {@code dir} and waits until every
     * service is ready.
     *
     * @param workers router worker processes
     * @param chaosEnv the {@code CHAOS_*} settings every service gets
     * @param llm the workers' OpenAI-compatible backend ({@code OPENAI_BASE_URL})
     * @param workerSettings more settings for the router workers
     */
    public static Deployment start(
            Path dir, int workers, Map<String, String> chaosEnv, URI llm, Map<String, String> workerSettings)
            throws InterruptedException {
        return start(dir, workers, chaosEnv, llm, workerSettings, Map.of());
    }

    /**
     * Starts the deployment as {@link #start(Path, int, Map, URI, Map)} does, with {@code settings}
     * added to (or replacing) every service's settings: each service reads its own of them.
     */
    public static Deployment start(
            Path dir,
            int workers,
            Map<String, String> chaosEnv,
            URI llm,
            Map<String, String> workerSettings,
            Map<String, String> settings)
            throws InterruptedException {
        return start(dir, workers, chaosEnv, llm, workerSettings, settings, HeapSize.DEFAULT);
    }

    /**
     * Starts the deployment as {@link #start(Path, int, Map, URI, Map, Map)} does, each service's
     * JVM capped at {@code heap}.
     */
    public static Deployment start(
            Path dir,
            int workers,
            Map<String, String> chaosEnv,
            URI llm,
            Map<String, String> workerSettings,
            Map<String, String> settings,
            HeapSize heap)
            throws InterruptedException {
        EmbeddedKafka kafka = EmbeddedKafka.persistent(dir.resolve("kafka"), 0).start();
        EmbeddedPostgresServer postgres = null;
        List<ServiceProcess> all = new ArrayList<>();
        try {
            postgres = EmbeddedPostgresServer.persistent(dir.resolve("postgres"), FreePorts.next());
            String jdbcUrl = postgres.createDatabase("askpipe");
            DatabaseSettings database = new DatabaseSettings(jdbcUrl, postgres.user(), postgres.password(), 2);
            KafkaSettings topics = new KafkaSettings(kafka.bootstrapServers(), "", PARTITIONS, (short) -1, -1, null);
            TopicProvisioner.ensure(topics, "askpipe-drill");

            String userId;
            String apiKey;
            try (AuthService auth = AuthService.start(database, new AuthSettings(Duration.ofSeconds(30)))) {
                User user = auth.accounts().createUser("drill");
                IssuedKey key = auth.accounts().issueKey(user.id());
                userId = user.id();
                apiKey = key.secret();
            }

            Path logs = Files.createDirectories(dir.resolve("logs"));
            Map<String, String> common = new HashMap<>(chaosEnv);
            common.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            common.put("KAFKA_TOPIC_PARTITIONS", Integer.toString(PARTITIONS));
            common.put("DATABASE_URL", jdbcUrl);
            common.put("DATABASE_USER", postgres.user());
            common.put("DATABASE_PASSWORD", postgres.password());
            common.put("HTTP_HOST", "127.0.0.1");
            common.put("ASKPIPE_PROFILE", "ci");
            common.put("LOG_FORMAT", "text");
            common.put("LOG_LEVEL", "INFO");
            common.put("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8"); // the drill's receiver is on loopback
            common.putAll(settings);

            Map<String, String> ingestEnv = new HashMap<>(common);
            ingestEnv.put("INGEST_RECOVERY_INTERVAL_MS", "1000");
            // a drill's late retries must still find their asks, however long the drill ran
            ingestEnv.put("IDEMPOTENCY_TTL", "1d");
            ServiceProcess ingest = service("ingest-api", IngestMain.class, ingestEnv, heap, logs);

            Map<String, String> storeEnv = new HashMap<>(common);
            storeEnv.put("KAFKA_GROUP_INSTANCE_ID", "drill-store"); // restarted as itself
            storeEnv.put("WEBHOOK_RETRY_SCHEDULE", "0s,200ms,500ms,1s,2s,5s,10s,30s");
            ServiceProcess store = service("result-store", StoreMain.class, storeEnv, heap, logs);

            List<ServiceProcess> routers = new ArrayList<>();
            for (int i = 1; i <= workers; i++) {
                Map<String, String> workerEnv = new HashMap<>(common);
                workerEnv.put("OPENAI_BASE_URL", llm.toString());
                workerEnv.put("PROMPT_BACKEND", "openai");
                workerEnv.put("KAFKA_GROUP_INSTANCE_ID", "drill-worker-" + i);
                workerEnv.put("ROUTER_SHUTDOWN_GRACE_MS", "5000");
                workerEnv.putAll(workerSettings);
                routers.add(service("router-worker-" + i, RouterMain.class, workerEnv, heap, logs));
            }
            all.add(ingest);
            all.add(store);
            all.addAll(routers);
            all.forEach(ServiceProcess::start);
            for (ServiceProcess service : all) {
                service.awaitReady(Duration.ofSeconds(120));
            }
            HikariDataSource pool = database.dataSource("askpipe-drill", "store", 2);
            return new Deployment(kafka, postgres, pool, ingest, store, List.copyOf(routers), userId, apiKey);
        } catch (IOException e) {
            stopAll(all, postgres, kafka);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | InterruptedException e) {
            stopAll(all, postgres, kafka);
            throw e;
        }
    }

    private static ServiceProcess service(
            String name, Class<?> main, Map<String, String> env, HeapSize heap, Path logs) {
        Map<String, String> withPort = new HashMap<>(env);
        int port = FreePorts.next();
        int opsPort = FreePorts.next();
        withPort.put("HTTP_PORT", Integer.toString(port));
        withPort.put("OPS_PORT", Integer.toString(opsPort));
        return new ServiceProcess(name, main.getName(), withPort, heap, port, opsPort, logs.resolve(name + ".log"));
    }

    @Override
    public URI ingest() {
        return ingest.base();
    }

    @Override
    public URI metrics() {
        return ingest.ops().resolve("/metrics");
    }

    @Override
    public Optional<ServiceProcess> store() {
        return Optional.of(store);
    }

    @Override
    public List<ServiceProcess> workers() {
        return workers;
    }

    @Override
    public List<ServiceProcess> services() {
        List<ServiceProcess> all = new ArrayList<>(List.of(ingest, store));
        all.addAll(workers);
        return all;
    }

    @Override
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public java.sql.Connection database() throws java.sql.SQLException {
        return pool.getConnection();
    }

    @Override
    public String userId() {
        return userId;
    }

    @Override
    public String apiKey() {
        return apiKey;
    }

    @Override
    public void close() {
        pool.close();
        stopAll(services(), postgres, kafka);
    }

    private static void stopAll(List<ServiceProcess> services, EmbeddedPostgresServer postgres, EmbeddedKafka kafka) {
        services.parallelStream().forEach(ServiceProcess::stop);
        if (postgres != null) {
            postgres.close();
        }
        kafka.close();
    }
}
