package io.askpipe.bench.profile;

import io.askpipe.bench.profile.Part.Component;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The part of the pipeline a thread's name tells, from the names that the broker, Kafka's clients,
 * Kafka Streams, Vert.x, the JVM and askpipe's services give their threads.
 *
 * <p>askpipe's names are those of its code: {@code Thread.ofPlatform().name(...)} in the services,
 * {@code PollLoop} threads ({@code ingest-result-*}, {@code router-cancel-*}), {@code Batcher} lanes
 * ({@code ledger-claims-*}, {@code router-lookups-*}), connection pools named after the service
 * ({@code askpipe-ingest housekeeper}), and Kafka client ids ({@code askpipe-ingest*}, {@code
 * askpipe-router*}, {@code askpipe-store-*} and Streams' application id {@code
 * askpipe-result-store}), which Kafka's client threads carry after a {@code " | "}.
 */
final class ThreadNames {
    /** Names of pools whose threads run anyone's work: only the stack tells whose. */
    private static final List<Predicate<String>> POOLED = List.of(
            String::isEmpty,
            Pattern.compile("ForkJoinPool(-\\d+|\\.commonPool)-worker-\\d+").asMatchPredicate(),
            prefix("vert.x-virtual-thread-"),
            Pattern.compile("pool-\\d+-thread-\\d+").asMatchPredicate(),
            Pattern.compile("Thread-\\d+").asMatchPredicate());

    private static final Pattern CARRIER = Pattern.compile("ForkJoinPool-\\d+-worker-\\d+");

    private static final List<Rule> RULES = List.of(
            // the broker (request handlers of the combined controller carry the same name)
            new Rule(prefix("data-plane-kafka-request-handler-"), Part.BROKER_REQUESTS),
            new Rule(contains("kafka-network-thread-").or(contains("kafka-socket-acceptor-")), Part.BROKER_NETWORK),
            new Rule(
                    prefix("group-coordinator-")
                            .or(prefix("share-coordinator-"))
                            .or(prefix("share-group-")),
                    Part.BROKER_GROUPS),
            new Rule(
                    prefix("TxnMarkerSenderThread-")
                            .or(prefix("AddPartitionsToTxnSenderThread-"))
                            .or(contains("txn-marker-sender")),
                    Part.BROKER_TRANSACTIONS),
            new Rule(
                    contains("raft")
                            .or(prefix("quorum-controller-"))
                            .or(prefix("controller-"))
                            .or(contains("metadata-loader"))
                            .or(contains("to-controller-"))
                            .or(contains("lifecycle-manager")),
                    Part.BROKER_KRAFT),
            new Rule(
                    prefix("kafka-scheduler-")
                            .or(prefix("ExpirationReaper-"))
                            .or(prefix("ThrottledChannelReaper-"))
                            .or(prefix("kafka-log-cleaner-thread-"))
                            .or(prefix("LogDirFailureHandler"))
                            .or(prefix("ReplicaFetcherThread-"))
                            .or(prefix("ReplicaAlterLogDirsThread-"))
                            .or(prefix("kafka-rlm-"))
                            .or(prefix("client-metrics-reaper"))
                            .or(prefix("metrics-meter-tick-thread"))
                            .or(prefix("broker-"))
                            .or(prefix("executor-"))
                            .or(contains("event-handler")),
                    Part.BROKER_OTHER),
            // Kafka Streams: "<application id>-StreamThread-<n>" and its helpers
            new Rule(contains("-StreamThread-"), Part.STORE_STREAMS),
            new Rule(
                    contains("-StateUpdater-")
                            .or(suffix("-CleanupThread"))
                            .or(suffix("-GlobalStreamThread"))
                            .or(suffix("-CloseThread")),
                    Part.STORE_STREAMS_OTHER),
            // ingest
            new Rule(prefix("ingest-result-"), Part.INGEST_RESULTS),
            new Rule(prefix("ledger-"), Part.INGEST_LEDGER),
            new Rule(prefix("ingest-batch-"), Part.INGEST_BATCHES),
            new Rule(prefix("ingest-").or(prefix("askpipe-ingest")), Part.otherThreads(Component.INGEST)),
            // the router
            new Rule(Predicate.isEqual("router-worker"), Part.ROUTER_LOOP),
            new Rule(prefix("router-lookups-").or(prefix("router-keeps-")), Part.ROUTER_RESULTS),
            new Rule(prefix("router-").or(prefix("askpipe-router")), Part.otherThreads(Component.ROUTER)),
            // the result store
            new Rule(prefix("askpipe-store-writer").or(prefix("askpipe-store-batch-events")), Part.STORE_WRITERS),
            new Rule(prefix("askpipe-webhooks"), Part.STORE_WEBHOOKS),
            new Rule(
                    prefix("askpipe-store").or(prefix("askpipe-result-store")).or(prefix("askpipe-ask-listener")),
                    Part.otherThreads(Component.STORE)),
            // Vert.x
            new Rule(prefix("vert.x-eventloop-thread-"), Part.HTTP_EVENT_LOOPS),
            new Rule(prefix("vert.x-worker-thread-"), Part.HTTP_WORKERS),
            new Rule(prefix("vert.x-").or(prefix("vertx-")), Part.HTTP_OTHER),
            // askpipe's shared code: the Kafka clients' metrics binding, the accounts' connection pool
            new Rule(prefix("micrometer-"), Part.SHARED_METRICS),
            new Rule(prefix("askpipe-auth"), Part.otherThreads(Component.SHARED)),
            // the JVM
            new Rule(
                    prefix("Read-Poller")
                            .or(prefix("Write-Poller"))
                            .or(prefix("MasterPoller"))
                            .or(prefix("VirtualThread-un"))
                            .or(prefix("ForkJoinPool").and(suffix("-delayScheduler"))),
                    Part.JVM_SCHEDULER),
            new Rule(
                    prefix("JFR")
                            .or(prefix("Reference Handler"))
                            .or(prefix("Finalizer"))
                            .or(prefix("Signal Dispatcher"))
                            .or(prefix("Common-Cleaner"))
                            .or(prefix("Attach Listener"))
                            .or(prefix("Notification Thread"))
                            .or(prefix("process reaper"))
                            .or(prefix("Service Thread"))
                            .or(prefix("DestroyJavaVM"))
                            .or(prefix("RMI "))
                            .or(prefix("JMX ")),
                    Part.JVM_THREADS));

    private ThreadNames() {}

    /** The part the name tells, if it tells one; pooled threads' names never do ({@link #pooled}). */
    static Optional<Part> partOf(String thread) {
        int bar = thread.indexOf(" | ");
        if (bar >= 0) {
            return Optional.of(client(thread.substring(0, bar), thread.substring(bar + 3)));
        }
        if (pooled(thread)) {
            return Optional.empty();
        }
        for (Rule rule : RULES) {
            if (rule.matches().test(thread)) {
                return Optional.of(rule.part());
            }
        }
        return Optional.empty();
    }

    /** Whether the thread is unnamed or of a pool that runs anyone's work (carriers, common pool). */
    static boolean pooled(String thread) {
        return POOLED.stream().anyMatch(pooled -> pooled.test(thread));
    }

    /** Whether the thread is a carrier of virtual threads (the default scheduler's pool). */
    static boolean carrier(String thread) {
        return CARRIER.matcher(thread).matches();
    }

    /**
     * A Kafka client's thread ({@code kafka-producer-network-thread | askpipe-ingest}), by its
     * client or group id: Streams' producers are {@code <application id>-StreamThread-<n>-producer}.
     */
    private static Part client(String kind, String id) {
        Optional<Component> owner = owner(id);
        if (owner.isEmpty()) {
            return Part.OTHER_CLIENTS;
        }
        if (!kind.equals("kafka-producer-network-thread")) {
            return Part.kafkaClients(owner.get());
        }
        return id.contains("-StreamThread-") ? Part.STORE_STREAMS_PRODUCER : Part.producer(owner.get());
    }

    /** The service a client or group id belongs to; a deployment's topic prefix may come before it. */
    private static Optional<Component> owner(String id) {
        if (id.contains("askpipe-ingest")) {
            return Optional.of(Component.INGEST);
        }
        if (id.contains("askpipe-router")) {
            return Optional.of(Component.ROUTER);
        }
        if (id.contains("askpipe-result-store") || id.contains("askpipe-store")) {
            return Optional.of(Component.STORE);
        }
        return Optional.empty();
    }

    private static Predicate<String> prefix(String prefix) {
        return name -> name.startsWith(prefix);
    }

    private static Predicate<String> suffix(String suffix) {
        return name -> name.endsWith(suffix);
    }

    private static Predicate<String> contains(String part) {
        return name -> name.contains(part);
    }

    private record Rule(Predicate<String> matches, Part part) {}
}
