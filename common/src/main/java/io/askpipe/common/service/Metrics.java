package io.askpipe.common.service;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/** Creates the Prometheus registry of a process, with JVM and process metrics bound; names shared meters. */
public final class Metrics {
    /** Buckets of {@link #stage}: 1 ms to 2 min, for stages from a database write to an LLM call. */
    private static final Duration[] STAGE_BUCKETS = Stream.of(
                    1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000)
            .map(Duration::ofMillis)
            .toArray(Duration[]::new);

    private static final Set<String> SUB_SECOND = Set.of("ns", "ms", "nanoseconds", "milliseconds");

    private static final Set<Meter.Type> HISTOGRAMS =
            EnumSet.of(Meter.Type.TIMER, Meter.Type.DISTRIBUTION_SUMMARY, Meter.Type.LONG_TASK_TIMER);

    /**
     * Brings the meters libraries name (Kafka's clients, Micrometer's own binders) to Prometheus'
     * conventions, so that {@code promtool check metrics} finds nothing to say about them: no
     * {@code _count} suffix outside histograms ({@code connection.count} becomes {@code
     * connections}), and a help text where the library gave none. Values are untouched.
     */
    static final MeterFilter PROMETHEUS_NAMING = new MeterFilter() {
        @Override
        public Meter.Id map(Meter.Id id) {
            String name = id.getName();
            if (name.endsWith(".count") && !HISTOGRAMS.contains(id.getType())) {
                name = name.substring(0, name.length() - ".count".length()) + "s";
            }
            String description =
                    id.getDescription() == null || id.getDescription().isBlank()
                            ? "The " + id.getName() + " metric of the library that reports it"
                            : id.getDescription();
            if (name.equals(id.getName()) && description.equals(id.getDescription())) {
                return id;
            }
            return new Meter.Id(name, Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
        }
    };

    /**
     * Leaves out the library meters counted in nanoseconds or milliseconds (Kafka's I/O and
     * transaction times, the JVM's CPU time): Prometheus wants seconds, and a filter can rename a
     * meter but not rescale it. {@code ask_latency_ms} keeps the name the original system gave it.
     */
    static final MeterFilter NO_SUB_SECOND_UNITS = MeterFilter.deny(id -> {
        boolean unitInName = Arrays.stream(id.getName().split("\\.")).anyMatch(SUB_SECOND::contains);
        return unitInName || SUB_SECOND.contains(String.valueOf(id.getBaseUnit()));
    });

    private Metrics() {}

    /**
     * The timer of one stage of an ask's way through the pipeline, {@code
     * ask_stage_seconds{stage=...}}: in ingest {@code ingest_claim} (the ledger's claim), {@code
     * ingest_publish} (sent until Kafka acknowledged it) and {@code ingest_mark} (the ledger's
     * accepted mark); {@code queued} (accepted until a worker took it), {@code
     * dispatch} (an interactive ask fetched by the worker until a slot started it; long when the
     * worker is full), {@code dispatch_batch} (the same for a batch ask: long during a backlog), {@code
     * publish} (the worker's result until Kafka acknowledged it), {@code worker} (fetched by the
     * worker until its result was acknowledged: the backend call and everything the worker adds), {@code store_write} (one batch
     * into PostgreSQL), {@code visible} (the router's answer until its row is committed), {@code
     * webhook} (one delivery attempt). The backend call itself is {@code ask_latency_ms}.
     */
    public static Timer stage(MeterRegistry registry, String stage) {
        return Timer.builder("ask_stage_seconds")
                .description("Time an ask spends in one stage of the pipeline")
                .tag("stage", stage)
                .serviceLevelObjectives(STAGE_BUCKETS)
                .register(registry);
    }

    /**
     * Binds {@code clients}' own metrics (Kafka producers and consumers: rates, errors, consumer
     * lag) to {@code registry}; close what it returns with the clients.
     */
    public static List<AutoCloseable> bindKafkaClients(MeterRegistry registry, Object... clients) {
        List<AutoCloseable> bound = new ArrayList<>();
        for (Object client : clients) {
            KafkaClientMetrics metrics = switch (client) {
                case Producer<?, ?> producer -> new KafkaClientMetrics(producer);
                case Consumer<?, ?> consumer -> new KafkaClientMetrics(consumer);
                default -> throw new IllegalArgumentException("not a Kafka client: " + client);
            };
            metrics.bindTo(registry);
            bound.add(metrics);
        }
        return bound;
    }

    /** Closes what {@link #bindKafkaClients} bound, never throwing. */
    public static void unbind(List<AutoCloseable> bound) {
        for (AutoCloseable metrics : bound) {
            try {
                metrics.close();
            } catch (Exception e) {
                // the registry goes with the process; nothing to report
            }
        }
    }

    /** A registry whose every meter carries {@code service=<service>}. */
    public static PrometheusMeterRegistry prometheus(String service) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config()
                .commonTags("service", service)
                .meterFilter(NO_SUB_SECOND_UNITS)
                .meterFilter(PROMETHEUS_NAMING);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }
}
