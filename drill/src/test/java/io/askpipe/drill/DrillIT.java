package io.askpipe.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.embedded.Directories;
import io.askpipe.schemas.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Drills as an operator runs them ({@code askpipe drill}), each on its own multi-process deployment
 * on an embedded broker and database: the CI-sized drill with every fault on, a worker killed on a
 * schedule and a full replay; and the same seed twice, which must inject the same faults.
 */
class DrillIT {
    private final List<Path> dirs = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        dirs.forEach(Directories::deleteRecursively);
    }

    @Test
    void everyFaultAKilledWorkerAndAReplayLoseNothing() throws Exception {
        JsonNode report = drill(
                "--asks", "2000",
                "--worker-crash", "0.002",
                "--kill-worker-every", "15",
                "--replay", "beginning");

        assertThat(report.at("/asks/accepted").asInt()).isEqualTo(2000);
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
        assertThat(report.at("/replay/redelivered").asLong()).isGreaterThanOrEqualTo(2000);
        assertThat(report.at("/replay/backend_calls").asLong()).isZero();
        assertThat(report.at("/replay/views_changed").asInt()).isZero();
        assertThat(report.get("passed").asBoolean()).isTrue();
    }

    @Test
    void theSameSeedInjectsTheSameFaults() throws Exception {
        String[] args = {"--asks", "300", "--seed", "7", "--kill-worker-every", "0", "--replay", "key:drill-s7-3"};
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
