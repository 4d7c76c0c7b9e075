package io.askpipe.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.devstack.DevStack;
import io.askpipe.embedded.Directories;
import io.askpipe.embedded.EmbeddedKafka;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.schemas.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Drills as an operator runs them ({@code askpipe drill}), each on its own multi-process deployment
 * on an embedded broker and database: the CI-sized drill with every fault on, a worker killed on a
 * schedule and a full replay; the same seed twice, which must inject the same faults; and a dev
 * stack that is already running, with chaos set by its own variables.
 */
class DrillIT {
    /** The asks of the drill with kills, crashes and a full replay. */
    private static final int ASKS = 1_000;

    private final List<Path> dirs = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        dirs.forEach(Directories::deleteRecursively);
    }

    @Test
    void everyFaultAKilledWorkerAndAReplayLoseNothing() throws Exception {
        // sized for its checks, not for volume: 1,000 asks keep every invariant and fault busy (each
        // fault strikes places by the tens, every 10th ask expires and every 10th is cancelled) over
        // a run long enough for several kills of a worker mid-flight; the crash probability is
        // doubled to keep the crashes of the 2,000 asks this drill once had. A worker is killed
        // every 20 s, well past the time a restarted one needs to work again on a loaded machine:
        // killed faster than that, the workers spend the drill restarting and the asks never drain
        JsonNode report = drill(
                "--asks", Integer.toString(ASKS),
                "--worker-crash", "0.004",
                "--kill-worker-every", "20",
                "--replay", "beginning",
                "--batch-lines", "500");

        assertThat(report.at("/asks/accepted").asInt()).isEqualTo(ASKS);
        assertThat(report.at("/asks/lost").asInt()).isZero();
        assertThat(report.at("/asks/conflicting").asInt()).isZero();
        assertThat(report.at("/webhooks/missing").asInt()).isZero();
        for (String fault : List.of(
                "vendor_latency",
                "vendor_failure",
                "ingest_publish_failure",
                "store_failure",
                "webhook_failure",
                "worker_crash")) {
            assertThat(report.at("/faults/by_type/" + fault + "/strikes").asInt())
                    .as("%s injected", fault)
                    .isPositive();
        }
        int killed = 0;
        int crashed = 0;
        for (JsonNode life : report.get("processes")) {
            killed += life.get("kills").asInt();
            crashed += life.get("crashes").asInt();
        }
        assertThat(killed).as("workers killed by the schedule").isPositive();
        assertThat(crashed).as("workers halted by chaos mode").isPositive();
        assertThat(report.at("/memory/heap_mib").asInt()).isEqualTo(256);
        List<String> services = new ArrayList<>();
        report.get("processes").fieldNames().forEachRemaining(services::add);
        List<String> measured = new ArrayList<>();
        report.at("/memory/services").fieldNames().forEachRemaining(measured::add);
        assertThat(measured).as("every service's memory").isEqualTo(services).hasSize(4);
        for (String service : services) {
            assertThat(report.at("/memory/services/" + service + "/peak_pss_mib")
                            .asDouble())
                    .as("%s's peak PSS", service)
                    .isPositive();
        }
        assertThat(report.get("invariants"))
                .anySatisfy(
                        invariant -> assertThat(invariant.get("name").asText()).isEqualTo("out_of_memory"));
        assertThat(report.at("/replay/redelivered").asLong()).isGreaterThanOrEqualTo(ASKS);
        assertThat(report.at("/replay/backend_calls").asLong()).isZero();
        assertThat(report.at("/replay/views_changed").asInt()).isZero();
        assertThat(report.at("/batch/status").asText()).isEqualTo("completed");
        assertThat(report.at("/batch/request_counts/total").asInt()).isEqualTo(500);
        assertThat(report.get("passed").asBoolean()).isTrue();
    }

    @Test
    void theSameSeedInjectsTheSameFaults() throws Exception {
        // no deadlines or cancels: whether an ask expires or is cancelled before its call depends on
        // timing, and a call that is not made strikes no place; 150 asks strike some 20 places
        String[] args = {
            "--asks",
            "150",
            "--seed",
            "7",
            "--kill-worker-every",
            "0",
            "--replay",
            "key:drill-s7-3",
            "--expire-every",
            "0",
            "--cancel-every",
            "0"
        };
        JsonNode first = drill(args);
        JsonNode second = drill(args);

        assertThat(first.at("/faults/distinct_places").asInt()).isPositive();
        assertThat(second.at("/faults/fingerprint").asText())
                .isEqualTo(first.at("/faults/fingerprint").asText());
        assertThat(second.at("/faults/distinct_places").asInt())
                .isEqualTo(first.at("/faults/distinct_places").asInt());
        assertThat(first.at("/replay/redelivered").asInt()).isEqualTo(1);
        assertThat(first.at("/replay/results_republished").asInt()).isEqualTo(1);
        assertThat(first.at("/replay/backend_calls").asInt()).isZero();
    }

    @Test
    void aRunningDevStackUnderItsOwnChaosLosesNothingAndAReplayedKeyChangesNothing() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.temporary().start();
                EmbeddedPostgresServer postgres = EmbeddedPostgresServer.temporary()) {
            String jdbcUrl = postgres.createDatabase("drill");
            try (DevStack stack = DevStack.start(
                    Map.of(
                            "HTTP_PORT", "0",
                            "KAFKA_GROUP_INSTANCE_ID", "drill-it",
                            "CHAOS_MODE", "1",
                            "CHAOS_SEED", "5",
                            "CHAOS_VENDOR_FAILURE", "0.05",
                            "CHAOS_STORE_FAILURE", "0.05",
                            "CHAOS_WEBHOOK_FAILURE", "0.05",
                            "WEBHOOK_RETRY_SCHEDULE", "0s,100ms,200ms,500ms,1s"),
                    kafka.bootstrapServers(),
                    jdbcUrl,
                    postgres.user(),
                    postgres.password())) {
                String key = stack.issueDevKey().secret();
                String[] target = {
                    "--target",
                    stack.clientUrl(),
                    "--ops",
                    stack.opsUrl(),
                    "--api-key",
                    key,
                    "--kafka",
                    kafka.bootstrapServers(),
                    "--database",
                    jdbcUrl
                };
                JsonNode report = drill(concat(target, "--asks", "300"));

                assertThat(report.at("/asks/accepted").asInt()).isEqualTo(300);
                assertThat(report.at("/asks/lost").asInt()).isZero();
                assertThat(absent(report.path("backend_calls")))
                        .as("not counted: the stack's own backend")
                        .isTrue();
                for (String fault : List.of("vendor_failure", "store_failure", "webhook_failure")) {
                    assertThat(report.at("/faults/by_type/" + fault + "/strikes")
                                    .asInt())
                            .as("%s counted from the stack's /metrics", fault)
                            .isPositive();
                }
                assertThat(absent(report.at("/faults/fingerprint")))
                        .as("no places from /metrics")
                        .isTrue();

                // an ask of the operator's own, replayed by its key
                HttpResponse<String> accepted = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build()
                        .send(
                                HttpRequest.newBuilder(URI.create(stack.clientUrl() + "/v1/ask"))
                                        .header("Authorization", "Bearer " + key)
                                        .header("Content-Type", "application/json")
                                        .header("Idempotency-Key", "replay-me")
                                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"again\"}"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(accepted.statusCode()).isEqualTo(202);
                JsonNode replayed = drill(concat(target, "--asks", "0", "--replay", "key:replay-me"));
                assertThat(replayed.at("/replay/redelivered").asInt()).isEqualTo(1);
                assertThat(replayed.at("/replay/results_republished").asInt()).isEqualTo(1);
                assertThat(replayed.at("/replay/views_changed").asInt()).isZero();
            }
        }
    }

    private static boolean absent(JsonNode node) {
        return node.isMissingNode() || node.isNull();
    }

    private static String[] concat(String[] first, String... more) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** Runs a drill in a directory of its own; returns its report after checking it passed. */
    private JsonNode drill(String... args) throws Exception {
        Path dir = Files.createTempDirectory("askpipe-drill-it-");
        dirs.add(dir);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--dir", dir.toString()));
        int status;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            status = DrillMain.run(out, all.toArray(String[]::new));
        }
        String printed = output.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(status)
                .as("the drill's exit status; its output:%n%s", printed)
                .isZero();
        return Json.mapper().readTree(dir.resolve("report.json").toFile());
    }
}
