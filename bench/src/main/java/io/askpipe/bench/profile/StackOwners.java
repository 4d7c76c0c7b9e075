package io.askpipe.bench.profile;

import io.askpipe.bench.profile.Part.Component;
import java.util.List;
import java.util.Optional;

/** Whose code a stack runs, from its frames' packages: an askpipe service's, askpipe's shared code's, or the broker's. */
final class StackOwners {
    private static final String ASKPIPE = "io.askpipe.";

    /** The packages of the broker and its controller, which Kafka's clients and Streams never run. */
    private static final List<String> BROKER = List.of(
            "kafka.",
            "org.apache.kafka.server.",
            "org.apache.kafka.raft.",
            "org.apache.kafka.controller.",
            "org.apache.kafka.coordinator.",
            "org.apache.kafka.storage.",
            "org.apache.kafka.metadata.",
            "org.apache.kafka.image.",
            "org.apache.kafka.queue.",
            "org.apache.kafka.snapshot.",
            "org.apache.kafka.network.",
            "org.apache.kafka.timeline.");

    private StackOwners() {}

    /**
     * The askpipe component whose code the stack runs: the first service's frame from the top
     * ({@code io.askpipe.ingest}, {@code .router}, {@code .store}), else, if askpipe's shared code
     * ({@code auth}, {@code common}, {@code schemas}, ...) is on the stack, {@link Component#SHARED}.
     * A service comes before shared code nearer the top: {@code Json.mapper()} called by ingest is
     * ingest's work.
     */
    static Optional<Component> askpipe(List<String> frames) {
        Optional<Component> shared = Optional.empty();
        for (String frame : frames) {
            if (!frame.startsWith(ASKPIPE)) {
                continue;
            }
            int end = frame.indexOf('.', ASKPIPE.length());
            switch (end < 0 ? "" : frame.substring(ASKPIPE.length(), end)) {
                case "ingest" -> {
                    return Optional.of(Component.INGEST);
                }
                case "router" -> {
                    return Optional.of(Component.ROUTER);
                }
                case "store" -> {
                    return Optional.of(Component.STORE);
                }
                default -> shared = Optional.of(Component.SHARED);
            }
        }
        return shared;
    }

    /** Whether the stack runs the broker's or its controller's code. */
    static boolean broker(List<String> frames) {
        return frames.stream().anyMatch(frame -> BROKER.stream().anyMatch(frame::startsWith));
    }

    /** Whether a request handler is serving the controller's requests (the combined controller's handlers share the broker's name). */
    static boolean controller(List<String> frames) {
        return frames.stream()
                .anyMatch(frame -> frame.equals("kafka.server.ControllerApis")
                        || frame.startsWith("org.apache.kafka.controller."));
    }
}
