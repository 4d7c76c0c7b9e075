package io.askpipe.common;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    private Metrics() {}

    /**
     * The timer of one stage of an ask's way through the pipeline, {@code
     * ask_stage_seconds{stage=...}}: {@code queued} (accepted until a worker took it), {@code
     * publish} (the worker's result until Kafka acknowledged it), {@code store_write} (one batch
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
        registry.config().commonTags("service", service);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }
}
