package io.askpipe.bench.profile;

/**
 * A part of the pipeline that CPU samples are charged to: a component (the broker, a service,
 * Vert.x, the JVM) and what within it, such as the broker's request handlers.
 *
 * @param component the component the part belongs to
 * @param name what within the component, as the table prints it
 */
record Part(Component component, String name) {
    static final Part BROKER_REQUESTS = new Part(Component.BROKER, "request handlers");
    static final Part BROKER_NETWORK = new Part(Component.BROKER, "network threads and acceptors");
    static final Part BROKER_GROUPS = new Part(Component.BROKER, "group and share coordinators");
    static final Part BROKER_TRANSACTIONS = new Part(Component.BROKER, "transaction markers");
    static final Part BROKER_KRAFT = new Part(Component.BROKER, "KRaft: raft, quorum controller, metadata");
    static final Part BROKER_OTHER = new Part(Component.BROKER, "other broker threads (schedulers, reapers, log)");

    static final Part INGEST_RESULTS = new Part(Component.INGEST, "result consumers (ingest-result-*)");
    static final Part INGEST_LEDGER = new Part(Component.INGEST, "ledger lanes (ledger-*)");
    static final Part INGEST_BATCHES = new Part(Component.INGEST, "batch runner (ingest-batch-*)");

    static final Part ROUTER_LOOP = new Part(Component.ROUTER, "consumer loop (router-worker)");
    static final Part ROUTER_RESULTS = new Part(Component.ROUTER, "result lanes (router-lookups-*, router-keeps-*)");

    static final Part STORE_STREAMS = new Part(Component.STORE, "Streams threads (*-StreamThread-*)");
    static final Part STORE_STREAMS_OTHER =
            new Part(Component.STORE, "Streams' other threads (state updater, cleanup)");
    static final Part STORE_STREAMS_PRODUCER = new Part(Component.STORE, "Streams' producer");
    static final Part STORE_WRITERS = new Part(Component.STORE, "writers (askpipe-store-writer, -batch-events)");
    static final Part STORE_WEBHOOKS = new Part(Component.STORE, "webhook claims (askpipe-webhooks)");

    static final Part HTTP_EVENT_LOOPS = new Part(Component.HTTP, "event loops");
    static final Part HTTP_WORKERS = new Part(Component.HTTP, "worker threads");
    static final Part HTTP_OTHER = new Part(Component.HTTP, "other Vert.x threads");

    static final Part SHARED_METRICS = new Part(Component.SHARED, "metrics (micrometer-*)");

    static final Part JVM_THREADS = new Part(Component.JVM, "JFR, reference handling, the JVM's other threads");
    static final Part JVM_SCHEDULER =
            new Part(Component.JVM, "virtual-thread scheduling: carriers unmounted, pollers, delay schedulers");

    static final Part OTHER_CLIENTS = new Part(Component.OTHER, "Kafka clients of other ids");
    static final Part OTHER_THREADS = new Part(Component.OTHER, "threads no rule names");

    /** The Kafka producer's network thread of a component's clients. */
    static Part producer(Component component) {
        return new Part(component, "Kafka producer");
    }

    /** A component's other Kafka client threads: admin clients, heartbeats, background threads. */
    static Part kafkaClients(Component component) {
        return new Part(component, "other Kafka client threads");
    }

    /** Virtual threads whose stack runs the component's code. */
    static Part virtualThreads(Component component) {
        return new Part(component, "virtual threads");
    }

    /** A component's threads that no rule names more closely. */
    static Part otherThreads(Component component) {
        return new Part(component, "other threads");
    }

    /**
     * Virtual threads, and threads of pools that run anyone's work, with none of askpipe's frames in
     * their (perhaps truncated) stack: by the first known library on it.
     */
    static Part unowned(Library library) {
        return new Part(Component.OTHER, "virtual or pooled threads without askpipe frames, in " + library.label());
    }

    /** The part as one label: the component's, then the part's name. */
    String label() {
        return component.label() + ": " + name;
    }

    /** The components, in the order the table lists them. */
    enum Component {
        BROKER("broker", "the broker"),
        INGEST("ingest", "ingest"),
        ROUTER("router", "the router"),
        STORE("store", "the result store"),
        HTTP("Vert.x", "Vert.x (HTTP for ingest and the store)"),
        SHARED("askpipe", "askpipe's shared code (auth, common, schemas, the dev stack)"),
        JVM("JVM", "the JVM's own threads"),
        OTHER("other", "not attributed");

        private final String label;
        private final String title;

        Component(String label, String title) {
            this.label = label;
            this.title = title;
        }

        /** A short name, which prefixes its parts' labels. */
        String label() {
            return label;
        }

        /** The component as its row in the table names it. */
        String title() {
            return title;
        }
    }
}
