package io.askpipe.bench.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.bench.profile.Part.Component;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributionTest {
    private static final List<String> JOOQ_IN_INGEST = List.of(
            "java.lang.String",
            "org.jooq.impl.DefaultRenderContext",
            "org.jooq.impl.AbstractQuery",
            "io.askpipe.common.db.Batcher",
            "io.askpipe.ingest.ledger.PostgresAskLedger",
            "io.askpipe.ingest.IngestRoutes",
            "java.lang.VirtualThread");

    private static Part platform(String thread, String... frames) {
        return Attribution.of(new Sample(thread, false, List.of(frames)));
    }

    private static Part virtual(String thread, List<String> frames) {
        return Attribution.of(new Sample(thread, true, frames));
    }

    @Test
    void brokerThreadsGoToTheirPartsOfTheBroker() {
        assertThat(platform("data-plane-kafka-request-handler-3", "kafka.server.KafkaApis"))
                .isEqualTo(Part.BROKER_REQUESTS);
        assertThat(platform("data-plane-kafka-network-thread-1-ListenerName(PLAINTEXT)-PLAINTEXT-0"))
                .isEqualTo(Part.BROKER_NETWORK);
        assertThat(platform("data-plane-kafka-socket-acceptor-ListenerName(PLAINTEXT)-PLAINTEXT-40123"))
                .isEqualTo(Part.BROKER_NETWORK);
        assertThat(platform("group-coordinator-event-processor-0")).isEqualTo(Part.BROKER_GROUPS);
        assertThat(platform("TxnMarkerSenderThread-1")).isEqualTo(Part.BROKER_TRANSACTIONS);
        assertThat(platform("kafka-1-raft-io-thread")).isEqualTo(Part.BROKER_KRAFT);
        assertThat(platform("quorum-controller-1-event-handler")).isEqualTo(Part.BROKER_KRAFT);
        assertThat(platform("kafka-scheduler-4")).isEqualTo(Part.BROKER_OTHER);
        assertThat(platform("executor-Fetch")).isEqualTo(Part.BROKER_OTHER);
        assertThat(platform("ExpirationReaper-1-Produce")).isEqualTo(Part.BROKER_OTHER);
    }

    @Test
    void aRequestHandlerServingTheControllerIsKraft() {
        assertThat(platform(
                        "data-plane-kafka-request-handler-0",
                        "org.apache.kafka.controller.QuorumController",
                        "kafka.server.ControllerApis",
                        "kafka.server.KafkaRequestHandler"))
                .isEqualTo(Part.BROKER_KRAFT);
    }

    @Test
    void anUnknownThreadRunningTheBrokersCodeIsTheBrokers() {
        assertThat(platform("some-new-broker-thread", "java.util.HashMap", "org.apache.kafka.storage.internals.log.X"))
                .isEqualTo(Part.BROKER_OTHER);
    }

    @Test
    void kafkaClientThreadsGoToTheServiceOfTheirClientId() {
        assertThat(platform("kafka-producer-network-thread | askpipe-ingest"))
                .isEqualTo(Part.producer(Component.INGEST));
        assertThat(platform("kafka-producer-network-thread | askpipe-router"))
                .isEqualTo(Part.producer(Component.ROUTER));
        assertThat(platform("kafka-producer-network-thread | askpipe-result-store-StreamThread-1-producer"))
                .isEqualTo(Part.STORE_STREAMS_PRODUCER);
        assertThat(platform("kafka-coordinator-heartbeat-thread | askpipe-ingest-quotas"))
                .isEqualTo(Part.kafkaClients(Component.INGEST));
        assertThat(platform("kafka-admin-client-thread | askpipe-ingest-readiness"))
                .isEqualTo(Part.kafkaClients(Component.INGEST));
        assertThat(platform("kafka-coordinator-heartbeat-thread | test-askpipe-result-store-writer"))
                .as("a deployment's topic prefix before the group id")
                .isEqualTo(Part.kafkaClients(Component.STORE));
        assertThat(platform("kafka-producer-network-thread | producer-1")).isEqualTo(Part.OTHER_CLIENTS);
    }

    @Test
    void askpipesOwnThreadsGoToTheirService() {
        assertThat(platform("ingest-result-quotas")).isEqualTo(Part.INGEST_RESULTS);
        assertThat(platform("ingest-result-tail")).isEqualTo(Part.INGEST_RESULTS);
        assertThat(platform("ingest-batch-runner")).isEqualTo(Part.INGEST_BATCHES);
        assertThat(platform("ingest-recovery")).isEqualTo(Part.otherThreads(Component.INGEST));
        assertThat(platform("askpipe-ingest housekeeper")).isEqualTo(Part.otherThreads(Component.INGEST));
        assertThat(platform("router-worker")).isEqualTo(Part.ROUTER_LOOP);
        assertThat(platform("router-cancel-tail")).isEqualTo(Part.otherThreads(Component.ROUTER));
        assertThat(platform("askpipe-router-purge")).isEqualTo(Part.otherThreads(Component.ROUTER));
        assertThat(platform("askpipe-store-writer")).isEqualTo(Part.STORE_WRITERS);
        assertThat(platform("askpipe-store-batch-events")).isEqualTo(Part.STORE_WRITERS);
        assertThat(platform("askpipe-webhooks")).isEqualTo(Part.STORE_WEBHOOKS);
        assertThat(platform("askpipe-ask-listener")).isEqualTo(Part.otherThreads(Component.STORE));
        assertThat(platform("askpipe-store housekeeper")).isEqualTo(Part.otherThreads(Component.STORE));
    }

    @Test
    void batcherLanesAreNamedVirtualThreads() {
        assertThat(virtual("ledger-claims-2", JOOQ_IN_INGEST)).isEqualTo(Part.INGEST_LEDGER);
        assertThat(virtual("router-lookups-0", List.of("org.jooq.impl.X", "io.askpipe.router.process.RouterResults")))
                .isEqualTo(Part.ROUTER_RESULTS);
    }

    @Test
    void streamsThreadsAreTheStores() {
        assertThat(platform("askpipe-result-store-StreamThread-1")).isEqualTo(Part.STORE_STREAMS);
        assertThat(platform("askpipe-result-store-StateUpdater-1")).isEqualTo(Part.STORE_STREAMS_OTHER);
        assertThat(platform("askpipe-result-store-CleanupThread")).isEqualTo(Part.STORE_STREAMS_OTHER);
    }

    @Test
    void vertxAndTheJvmHaveTheirOwnParts() {
        assertThat(platform("vert.x-eventloop-thread-1")).isEqualTo(Part.HTTP_EVENT_LOOPS);
        assertThat(platform("vert.x-worker-thread-7", "io.askpipe.store.api.StoreRoutes"))
                .isEqualTo(Part.HTTP_WORKERS);
        assertThat(platform("vert.x-acceptor-thread-0")).isEqualTo(Part.HTTP_OTHER);
        assertThat(platform("JFR Periodic Tasks")).isEqualTo(Part.JVM_THREADS);
        assertThat(platform("Reference Handler")).isEqualTo(Part.JVM_THREADS);
        assertThat(platform("Read-Poller")).isEqualTo(Part.JVM_SCHEDULER);
        assertThat(platform("MasterPoller")).isEqualTo(Part.JVM_SCHEDULER);
        assertThat(platform("ForkJoinPool-1-delayScheduler")).isEqualTo(Part.JVM_SCHEDULER);
        assertThat(platform("VirtualThread-unblocker")).isEqualTo(Part.JVM_SCHEDULER);
        assertThat(platform("micrometer-kafka-metrics")).isEqualTo(Part.SHARED_METRICS);
        assertThat(platform("askpipe-auth:connection-adder")).isEqualTo(Part.otherThreads(Component.SHARED));
    }

    @Test
    void aVirtualThreadGoesToTheServiceNearestTheTopOfItsStack() {
        assertThat(virtual("", JOOQ_IN_INGEST))
                .as("ingest's frame below common's Batcher: ingest's work")
                .isEqualTo(Part.virtualThreads(Component.INGEST));
        assertThat(virtual(
                        "",
                        List.of(
                                "com.fasterxml.jackson.core.json.UTF8JsonGenerator",
                                "io.askpipe.schemas.Json",
                                "io.askpipe.router.consume.ConsumerLoop",
                                "io.askpipe.ingest.Unlikely")))
                .isEqualTo(Part.virtualThreads(Component.ROUTER));
        assertThat(virtual("", List.of("org.jooq.impl.X", "io.askpipe.auth.Accounts")))
                .as("only shared code on the stack")
                .isEqualTo(Part.virtualThreads(Component.SHARED));
        assertThat(virtual("vert.x-virtual-thread-3", List.of("io.askpipe.store.api.LongPoll")))
                .isEqualTo(Part.virtualThreads(Component.STORE));
    }

    @Test
    void aVirtualThreadWithoutAskpipeFramesGoesToTheFirstKnownLibrary() {
        assertThat(virtual("", List.of("java.util.HashMap", "org.jooq.impl.DefaultDSLContext")))
                .isEqualTo(Part.unowned(Library.JOOQ));
        assertThat(virtual("", List.of("java.util.HashMap", "com.example.Unknown", "org.postgresql.jdbc.PgStatement")))
                .isEqualTo(Part.unowned(Library.PGJDBC));
        assertThat(virtual("", List.of())).isEqualTo(Part.unowned(Library.OTHER));
    }

    @Test
    void carriersWithoutAskpipeFramesAreTheSchedulers() {
        assertThat(platform("ForkJoinPool-1-worker-2", "java.util.concurrent.ForkJoinPool"))
                .isEqualTo(Part.JVM_SCHEDULER);
        assertThat(platform("ForkJoinPool-1-worker-2", "org.jooq.impl.X", "io.askpipe.router.process.RouterResults"))
                .as("a carrier sampled as itself while it runs a virtual thread")
                .isEqualTo(Part.virtualThreads(Component.ROUTER));
        assertThat(platform("ForkJoinPool.commonPool-worker-1", "io.askpipe.router.backend.DryRun"))
                .isEqualTo(Part.otherThreads(Component.ROUTER));
        assertThat(platform("pool-3-thread-1", "java.util.concurrent.ThreadPoolExecutor", "io.netty.X"))
                .isEqualTo(Part.unowned(Library.NETTY));
    }

    @Test
    void aThreadNoRuleNamesGoesToItsStacksServiceElseToNoPart() {
        assertThat(platform("startup-ingest-api-database", "io.askpipe.ingest.IngestService"))
                .isEqualTo(Part.otherThreads(Component.INGEST));
        assertThat(platform("main", "io.askpipe.devstack.DevStackMain")).isEqualTo(Part.otherThreads(Component.SHARED));
        assertThat(platform("mystery", "java.lang.Thread")).isEqualTo(Part.OTHER_THREADS);
    }
}
