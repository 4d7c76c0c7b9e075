package io.askpipe.common.fault;

/** The places where a fault may be injected, by the label they carry in {@code chaos_events_total}. */
public enum Fault {
    /** A backend call answers late (router). */
    VENDOR_LATENCY("vendor_latency"),
    /** A backend call fails as an upstream error would (router). */
    VENDOR_FAILURE("vendor_failure"),
    /** A client's ask is not acknowledged by Kafka (ingest). */
    INGEST_PUBLISH_FAILURE("ingest_publish_failure"),
    /** A batch write to the store's database fails (result store). */
    STORE_FAILURE("store_failure"),
    /** A webhook attempt fails as a connection error would (result store). */
    WEBHOOK_FAILURE("webhook_failure"),
    /** The worker dies after keeping a fresh result, before publishing it (router). */
    WORKER_CRASH("worker_crash");

    private final String label;

    Fault(String label) {
        this.label = label;
    }

    /** The fault's {@code fault} tag and its name in the log line. */
    public String label() {
        return label;
    }
}
