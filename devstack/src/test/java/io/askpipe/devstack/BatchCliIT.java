package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.cli.BatchCommandRunner;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./askpipe batch} against the dev stack, run in-process as its {@code main} runs it: a
 * submit of a few hundred lines shows its progress going up, downloads an output file with every
 * custom_id once and exits 0; status, list and cancel answer about the caller's batches, and a
 * mistake is an exit status with its reason. The dryrun backend takes 50 ms a line, on 18 slots for
 * batch asks, so that a batch runs for about a second.
 */
class BatchCliIT {
    private static final String PREFIX = SharedInfrastructure.uniqueName("batchcli") + ".";
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Pattern PROGRESS =
            Pattern.compile("\\] +\\d+%  (\\d+)/(\\d+) \\((\\d+) completed, (\\d+) failed\\)  (\\w+)");
    private static final Pattern BATCH_ID = Pattern.compile("batch (batch_[0-9a-f]{32}) validating");

    @TempDir
    static Path dir;

    private static DevStack stack;
    private static URI base;
    private static String key;

    @BeforeAll
    static void start() {
        stack = TestStacks.start(
                PREFIX,
                Map.of(
                        "DRYRUN_LATENCY_MS", "50",
                        // 18 slots for batch asks, 2 kept for interactive ones
                        "ROUTER_MAX_IN_FLIGHT", "20",
                        "BATCH_POLL_INTERVAL_MS", "100"));
        base = URI.create(stack.clientUrl());
        key = stack.issueDevKey().secret();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** What one run of the command printed and returned. */
    private record Run(int status, String out, String err) {}

    private static Run batch(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = BatchCommandRunner.run(base, key, dir, o, e, POLL, List.of(args));
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void submitShowsTheCountsGoingUpAndDownloadsAnOutputFileWithEveryCustomIdOnce() throws IOException {
        List<String> ids = write("questions.jsonl", 300);

        Run submit = batch("submit", "questions.jsonl", "--out", "results");

        assertThat(submit.status()).as(submit.err() + submit.out()).isZero();
        assertThat(submit.out()).containsPattern("uploaded questions.jsonl as file-[0-9a-f]{32} \\(\\d+ bytes\\)");
        String id = batchId(submit.out());
        List<Progress> progress = progress(submit.out());
        assertThat(progress).as(submit.out()).isNotEmpty();
        assertThat(progress)
                .as("a total of 0 only while the file is validated")
                .allSatisfy(
                        line -> assertThat(line.total() == 300 || line.status().equals("validating"))
                                .as("%s", line)
                                .isTrue());
        List<Long> finished = progress.stream()
                .filter(line -> line.total() == 300)
                .map(Progress::finished)
                .toList();
        assertThat(finished).as("the counts only go up").isSorted();
        assertThat(finished.getLast()).isEqualTo(300);
        assertThat(finished.stream().distinct().count())
                .as("shown on their way up: %s", finished)
                .isGreaterThanOrEqualTo(3);
        assertThat(submit.out())
                .contains("batch " + id + " completed: 300 completed, 0 failed of 300")
                .contains("output: " + dir.resolve("results").resolve(id + "_output.jsonl"))
                .doesNotContain("errors: ");

        List<String> lines = Files.readAllLines(dir.resolve("results").resolve(id + "_output.jsonl"));
        Map<String, Integer> seen = new HashMap<>();
        for (String line : lines) {
            JsonNode json = Json.mapper().readTree(line);
            String customId = json.get("custom_id").asText();
            seen.merge(customId, 1, Integer::sum);
            assertThat(json.at("/response/body/choices/0/message/content").asText())
                    .isEqualTo("[dryrun] question " + customId);
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(seen.values()).as("every custom_id once").containsOnly(1);
        assertThat(Files.exists(dir.resolve("results").resolve(id + "_errors.jsonl")))
                .isFalse();

        Run status = batch("status", id);
        assertThat(status.status()).isZero();
        assertThat(status.out())
                .contains("batch " + id + " completed: 300 completed, 0 failed of 300")
                .containsPattern("input_file_id: file-[0-9a-f]{32}")
                .containsPattern("output_file_id: file-[0-9a-f]{32}");
    }

    @Test
    void statusListAndCancelAnswerAboutTheCallersBatches() throws IOException {
        write("cancel.jsonl", 300);
        Run submit = batch("submit", "cancel.jsonl");
        assertThat(submit.status()).as(submit.err()).isZero();
        String id = batchId(submit.out());
        assertThat(submit.out()).contains("follow it with: ./askpipe batch status " + id);

        Run cancel = batch("cancel", id);

        assertThat(cancel.status()).as(cancel.err()).isZero();
        assertThat(cancel.out().strip()).isIn("batch " + id + " cancelling", "batch " + id + " cancelled");
        Run cancelled = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> batch("status", id), run -> run.out().contains(" cancelled: "));
        assertThat(cancelled.status()).as("a batch that did not complete").isEqualTo(3);
        Matcher counts = Pattern.compile("cancelled: (\\d+) completed, (\\d+) failed of (\\d+)")
                .matcher(cancelled.out());
        assertThat(counts.find()).isTrue();
        assertThat(Long.parseLong(counts.group(1)) + Long.parseLong(counts.group(2)))
                .as("every line it holds ended")
                .isEqualTo(Long.parseLong(counts.group(3)));
        assertThat(Long.parseLong(counts.group(1)))
                .as("cancelled long before its lines ran")
                .isLessThan(300);

        Run list = batch("list");
        assertThat(list.status()).isZero();
        assertThat(list.out().lines().findFirst())
                .hasValueSatisfying(header ->
                        assertThat(header).contains("ID", "STATUS", "TOTAL", "COMPLETED", "FAILED", "CREATED"));
        assertThat(list.out()).containsPattern(Pattern.quote(id) + " +cancelled ");
        Run newest = batch("list", "--limit", "1");
        assertThat(newest.out().lines().skip(1).toList())
                .singleElement()
                .satisfies(row -> assertThat(row).startsWith(id + " "));

        Run unknown = batch("status", "batch_00000000000000000000000000000000");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).contains("404", "batch_00000000000000000000000000000000");
        Run missing = batch("submit", "nosuch.jsonl");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");
        Run again = batch("cancel", id);
        assertThat(again.status()).as("a batch that ended is answered as it is").isZero();
        assertThat(again.out().strip()).isEqualTo("batch " + id + " cancelled");
    }

    /** Writes {@code name} with {@code count} dryrun lines; returns their custom ids. */
    private static List<String> write(String name, int count) throws IOException {
        List<String> ids = IntStream.range(0, count).mapToObj(i -> "c" + i).toList();
        List<String> lines = new ArrayList<>();
        for (String id : ids) {
            ObjectNode line = Json.mapper().createObjectNode();
            line.put("custom_id", id).put("method", "POST").put("url", "/v1/chat/completions");
            ObjectNode body = line.putObject("body").put("model", "dryrun-echo");
            body.putArray("messages").addObject().put("role", "user").put("content", "question " + id);
            lines.add(line.toString());
        }
        Files.write(dir.resolve(name), lines);
        return ids;
    }

    private static String batchId(String out) {
        Matcher matcher = BATCH_ID.matcher(out);
        assertThat(matcher.find()).as(out).isTrue();
        return matcher.group(1);
    }

    /** A progress line's lines finished of its total, and the batch's status. */
    private record Progress(long finished, long total, String status) {}

    /** The progress lines in {@code out}, in order. */
    private static List<Progress> progress(String out) {
        List<Progress> lines = new ArrayList<>();
        Matcher matcher = PROGRESS.matcher(out);
        while (matcher.find()) {
            lines.add(
                    new Progress(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)), matcher.group(5)));
        }
        return lines;
    }
}
