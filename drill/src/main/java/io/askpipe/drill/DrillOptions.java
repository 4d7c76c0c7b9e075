package io.askpipe.drill;

import io.askpipe.common.chaos.Chaos;
import io.askpipe.common.config.ClientSettings;
import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.fault.Fault;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.drill.deploy.HeapSize;
import io.askpipe.drill.deploy.RunningDeployment;
import io.askpipe.drill.load.Load;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a drill does, from its command line ({@link #USAGE}).
 *
 * @param asks asks to submit (0 to only replay)
 * @param concurrency clients submitting at once
 * @param seed {@code CHAOS_SEED} of every service
 * @param faults the probability of each fault, by its label in {@code chaos_events_total}
 * @param vendorLatencyMs {@code CHAOS_VENDOR_LATENCY_MS}: the delay an injected backend latency adds
 * @param vendorMs how long the drill's own LLM server takes to answer each call
 * @param workers router worker processes
 * @param heap every service process's heap cap ({@code -Xmx})
 * @param killWorkerEvery {@code kill -9} of a worker (round robin), which is then restarted; zero
 *     for never
 * @param killStoreEvery the same for the result store
 * @param replay which accepted asks to deliver to the router again once the asks are answered
 * @param webhooks whether every ask carries a callback to the drill's receiver
 * @param plan which asks carry a deadline and which are cancelled once accepted
 * @param batchLines lines of the batch submitted while the asks run (0: none)
 * @param dir where the deployment's data and logs go and the report is written; {@code null} for a
 *     temporary directory, removed afterwards when the drill passes
 * @param quiesceTimeout how long to wait for every accepted ask to be answered and delivered, and
 *     for the batch to end
 * @param running the running deployment to drill, or {@code null} to start one
 */
record DrillOptions(
        int asks,
        int concurrency,
        long seed,
        Map<String, Double> faults,
        long vendorLatencyMs,
        long vendorMs,
        int workers,
        HeapSize heap,
        Duration killWorkerEvery,
        Duration killStoreEvery,
        Replay replay,
        boolean webhooks,
        Load.Plan plan,
        int batchLines,
        Path dir,
        Duration quiesceTimeout,
        RunningDeployment.Address running) {

    static final String USAGE = """
            usage: askpipe drill [OPTION VALUE]...
              Starts a deployment on an embedded broker and database, each service its own process
              (1 ingest-api, WORKERS router-workers, 1 result-store) with chaos mode on, submits ASKS
              asks through HTTP, kills and restarts processes on a schedule, waits until every
              accepted ask is answered, checks that nothing was lost or answered twice, and prints
              the report (also as report.json in the drill's directory). Exit status 0 when every
              invariant holds, 1 when one fails, 2 for bad options, 3 when the deployment did not start.

              --asks N                   asks to submit (default 1000; 0 to only replay)
              --concurrency N            clients submitting at once (default 32)
              --seed N                   CHAOS_SEED of every service (default 1)
              --vendor-latency P         probability of an injected backend delay (default 0.05)
              --vendor-latency-ms MS     that delay (default 300)
              --vendor-failure P         probability of an injected backend failure (default 0.03)
              --ingest-publish-failure P probability that ingest's Kafka publish fails (default 0.01)
              --store-failure P          probability that a result store write fails (default 0.01)
              --webhook-failure P        probability that a webhook attempt fails (default 0.05)
              --worker-crash P           probability that a worker halts after answering an ask (default 0.001)
              --vendor-ms MS             how long the drill's LLM server takes per call (default 20)
              --workers N                router worker processes (default 2)
              --heap SIZE                every service process's heap cap (-Xmx), 64m to 4g (default 256m);
                                         a service out of heap exits and is restarted
              --kill-worker-every SECS   kill -9 a worker on this period, round robin, and restart it (default 10; 0 never)
              --kill-store-every SECS    the same for the result store (default 0)
              --replay WHAT              afterwards, deliver accepted asks to the router again:
                                         beginning, since:<ISO-8601 instant>, or key:<Idempotency-Key>
              --webhooks true|false      every ask carries a callback to the drill's receiver (default true)
              --expire-every N           every Nth ask carries expires_after (default 10; 0 none)
              --expires-after SECS       that expires_after (default 2)
              --cancel-every N           every Nth ask is cancelled once accepted (default 10; 0 none)
              --batch-lines N            also submit an OpenAI-format batch of N lines (custom_id line-<n>, each
                                         its own prompt) while the asks run; it must end completed with one
                                         output or error line per custom_id (default 0: none)
              --dir PATH                 keep data, logs and report.json here (default: a temporary directory)
              --quiesce-timeout SECS     how long to wait for every ask to be answered and the batch
                                         to end (default 300)

            Against a deployment that is already running (./askpipe dev, or services with chaos
            set by their own CHAOS_* variables), nothing is started or killed:
              --target URL               its client URL, e.g. http://127.0.0.1:8080
              --ops URL                  its operations URL, where /metrics is (the dev stack prints it;
                                         a service's OPS_PORT), e.g. http://127.0.0.1:9464
              --api-key KEY              default $ASKPIPE_API_KEY, else the file $ASKPIPE_DEV_KEY_FILE
                                         (default .askpipe/dev-key) the dev stack writes
              --kafka BOOTSTRAP          its broker (default $KAFKA_BOOTSTRAP_SERVERS)
              --database JDBC-URL        its database (default $DATABASE_URL; $DATABASE_USER and
                                         $DATABASE_PASSWORD as the services read them)
              --replay key:<Idempotency-Key> is the replay that needs no stopped workers
            """;

    /** Which accepted asks a drill delivers to the router a second time (docs/operations.md, "Replay"). */
    sealed interface Replay {
        /** The replay as the report names it: none, beginning, since:INSTANT or key:IDEMPOTENCY-KEY. */
        default String describe() {
            return switch (this) {
                case None none -> "none";
                case FromBeginning from -> "beginning";
                case Since since -> "since:" + since.since();
                case Key key -> "key:" + key.idempotencyKey();
            };
        }

        /** No replay. */
        record None() implements Replay {}

        /** The router group's offsets reset to the start of {@code ask.requests}. */
        record FromBeginning() implements Replay {}

        /** The router group's offsets reset to the first ask accepted at or after {@code since}. */
        record Since(Instant since) implements Replay {}

        /** The latest record of one Idempotency-Key published to {@code ask.requests} again. */
        record Key(String idempotencyKey) implements Replay {}
    }

    /**
     * The settings a drill reads from its environment: against a running deployment, how to reach
     * it where the options do not say.
     */
    static List<Setting<?>> settings() {
        return List.of(
                ClientSettings.API_KEY,
                ClientSettings.DEV_KEY_FILE,
                KafkaSettings.BOOTSTRAP_SERVERS,
                DatabaseSettings.URL,
                DatabaseSettings.USER,
                DatabaseSettings.PASSWORD);
    }

    static DrillOptions parse(String... args) {
        return parse(Env.system(), args);
    }

    static DrillOptions parse(Env env, String... args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--") || i + 1 >= args.length) {
                throw new ConfigException("expected --OPTION VALUE, got '" + name + "'");
            }
            given.put(name.substring(2), args[++i]);
        }
        RunningDeployment.Address running = given.containsKey("target") ? running(env, given) : null;
        Map<String, Double> faults = new LinkedHashMap<>();
        Map<String, Double> defaults = Map.of(
                "vendor_latency", 0.05,
                "vendor_failure", 0.03,
                "ingest_publish_failure", 0.01,
                "store_failure", 0.01,
                "webhook_failure", 0.05,
                "worker_crash", 0.001);
        for (Fault fault : Fault.values()) {
            String option = fault.label().replace('_', '-');
            faults.put(
                    fault.label(),
                    probability(
                            option,
                            given.remove(option),
                            running != null ? 0.0 : defaults.getOrDefault(fault.label(), 0.0)));
        }
        DrillOptions options = new DrillOptions(
                integer(given, "asks", 1000, 0, 10_000_000),
                integer(given, "concurrency", 32, 1, 10_000),
                seed(given.getOrDefault("seed", "1")),
                Map.copyOf(faults),
                integer(given, "vendor-latency-ms", 300, 0, 600_000),
                integer(given, "vendor-ms", 20, 0, 600_000),
                integer(given, "workers", 2, 1, 16),
                heap(given.remove("heap")),
                Duration.ofSeconds(integer(given, "kill-worker-every", running != null ? 0 : 10, 0, 86_400)),
                Duration.ofSeconds(integer(given, "kill-store-every", 0, 0, 86_400)),
                replay(given.remove("replay")),
                Boolean.parseBoolean(given.getOrDefault("webhooks", "true")),
                new Load.Plan(
                        integer(given, "expire-every", 10, 0, 1_000_000),
                        integer(given, "expires-after", 2, 1, 86_400),
                        integer(given, "cancel-every", 10, 0, 1_000_000)),
                integer(given, "batch-lines", 0, 0, 50_000),
                given.containsKey("dir") ? Path.of(given.get("dir")) : null,
                Duration.ofSeconds(integer(given, "quiesce-timeout", 300, 1, 86_400)),
                running);
        given.keySet().removeAll(java.util.Set.of("seed", "webhooks", "dir"));
        if (!given.isEmpty()) {
            throw new ConfigException(
                    "unknown option --" + given.keySet().iterator().next());
        }
        return options;
    }

    /**
     * The running deployment {@code --target} names. Chaos, kills and offset resets belong to a
     * deployment the drill starts: against a running one they are refused, not ignored.
     */
    private static RunningDeployment.Address running(Env env, Map<String, String> given) {
        for (String option : given.keySet()) {
            boolean fault = java.util.Arrays.stream(Fault.values())
                    .anyMatch(f -> f.label().replace('_', '-').equals(option));
            if (fault
                    || option.startsWith("kill-")
                    || option.startsWith("vendor-")
                    || option.equals("workers")
                    || option.equals("heap")) {
                throw new ConfigException("--" + option + " needs a deployment the drill starts; a running one has"
                        + " its own CHAOS_* settings and processes");
            }
        }
        String replay = given.getOrDefault("replay", "none");
        if (!replay.equals("none") && !replay.startsWith("key:")) {
            throw new ConfigException("--replay " + replay + " resets the router group, which needs its workers"
                    + " stopped: follow docs/operations.md (Replaying asks) against a running deployment");
        }
        URI url = URI.create(given.remove("target").replaceAll("/+$", ""));
        String apiKey = given.remove("api-key");
        if (apiKey == null) {
            apiKey = env.get(ClientSettings.API_KEY);
        }
        String bootstrap = Optional.ofNullable(given.remove("kafka"))
                .or(() -> env.find(KafkaSettings.BOOTSTRAP_SERVERS))
                .orElseThrow(() -> new ConfigException("--kafka (or KAFKA_BOOTSTRAP_SERVERS) is needed with --target"));
        String jdbcUrl = Optional.ofNullable(given.remove("database"))
                .or(() -> env.find(DatabaseSettings.URL))
                .orElseThrow(() -> new ConfigException("--database (or DATABASE_URL) is needed with --target"));
        URI ops = URI.create(Optional.ofNullable(given.remove("ops"))
                .orElseThrow(() -> new ConfigException(
                        "--ops (the operations URL, where the deployment's /metrics is) is needed with --target"))
                .replaceAll("/+$", ""));
        Map<String, String> database = new LinkedHashMap<>();
        database.put(DatabaseSettings.URL.name(), jdbcUrl);
        env.find(DatabaseSettings.USER).ifPresent(user -> database.put(DatabaseSettings.USER.name(), user));
        env.find(DatabaseSettings.PASSWORD)
                .ifPresent(password -> database.put(DatabaseSettings.PASSWORD.name(), password));
        database.put(DatabaseSettings.POOL_SIZE.name(), "2");
        return new RunningDeployment.Address(url, ops, apiKey, bootstrap, DatabaseSettings.fromEnv(Env.of(database)));
    }

    /** The chaos settings every service gets. */
    Map<String, String> chaosEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        boolean any = faults.values().stream().anyMatch(p -> p > 0);
        env.put(Chaos.Settings.MODE.name(), any ? "1" : "0");
        env.put(Chaos.Settings.SEED.name(), Long.toString(seed));
        for (Fault fault : Fault.values()) {
            env.put(Chaos.variable(fault), Double.toString(faults.get(fault.label())));
        }
        env.put(Chaos.Settings.VENDOR_LATENCY.name(), Long.toString(vendorLatencyMs));
        return env;
    }

    private static long seed(String raw) {
        try {
            return Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException("--seed must be a whole number, got '" + raw + "'");
        }
    }

    private static int integer(Map<String, String> given, String name, int defaultValue, int min, int max) {
        String raw = given.remove(name);
        if (raw == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(
                "--" + name + " must be a whole number from " + min + " to " + max + ", got '" + raw + "'");
    }

    private static double probability(String name, String raw, double defaultValue) {
        if (raw == null) {
            return defaultValue;
        }
        try {
            double p = Double.parseDouble(raw.strip());
            if (p >= 0 && p <= 1) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("--" + name + " must be a probability from 0 to 1, got '" + raw + "'");
    }

    private static HeapSize heap(String raw) {
        if (raw == null) {
            return HeapSize.DEFAULT;
        }
        return HeapSize.parse(raw)
                .orElseThrow(() -> new ConfigException("--heap must be a size from " + HeapSize.MIN + "m to "
                        + HeapSize.MAX / 1024 + "g as -Xmx takes it (128m, 1g), got '" + raw + "'"));
    }

    private static Replay replay(String raw) {
        if (raw == null || raw.equals("none")) {
            return new Replay.None();
        }
        if (raw.equals("beginning")) {
            return new Replay.FromBeginning();
        }
        if (raw.startsWith("since:")) {
            try {
                return new Replay.Since(Instant.parse(raw.substring("since:".length())));
            } catch (DateTimeParseException e) {
                throw new ConfigException("--replay since: needs an ISO-8601 instant such as 2026-11-26T14:00:00Z");
            }
        }
        if (raw.startsWith("key:") && raw.length() > 4) {
            return new Replay.Key(raw.substring(4));
        }
        throw new ConfigException(
                "--replay must be beginning, since:<instant> or key:<Idempotency-Key>, got '" + raw + "'");
    }
}
