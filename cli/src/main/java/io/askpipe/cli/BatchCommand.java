package io.askpipe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.common.config.ClientSettings;
import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code ./askpipe batch}: submits a JSONL file of chat requests as a batch (and with {@code
 * --wait} shows its progress and downloads its output and error files), lists the caller's
 * batches, shows one, cancels one. It talks to {@code ASKPIPE_URL} with {@code ASKPIPE_API_KEY},
 * by default the dev stack's URL and key.
 */
public final class BatchCommand {
    static final String USAGE = """
            usage: ./askpipe batch submit FILE.jsonl [--wait] [--out DIR] [--window 24h]
                   ./askpipe batch list [--limit N]
                   ./askpipe batch status ID
                   ./askpipe batch cancel ID
              submit  uploads FILE (one chat completions request per line, OpenAI's batch input
                      format) and creates a batch; --wait shows its progress until it ends and
                      downloads its output and error files into DIR (--out, default .; --out
                      implies --wait)
              list    the newest batches, with their progress
              status  one batch's status, counts and files
              cancel  cancels a batch: queued lines are never called, running ones are cut
            environment: ASKPIPE_URL (default http://127.0.0.1:8080), ASKPIPE_API_KEY (default the
            key in ASKPIPE_DEV_KEY_FILE, .askpipe/dev-key, written by ./askpipe dev)
            exit status: 0 when the batch completed (or the command succeeded), 3 when it failed,
            expired or was cancelled, 1 on an error, 2 on a wrong command line""";

    /** The settings {@link #main} reads. */
    public static List<Setting<?>> settings() {
        return ClientSettings.settings();
    }

    /**
     * What the command reads from its environment: the askpipe it talks to, the key it sends and
     * the directory its file arguments are relative to.
     */
    public record Target(URI url, String apiKey, Path callerDir) {
        public static Target from(Env env) {
            return new Target(
                    URI.create(env.get(ClientSettings.URL).replaceAll("/+$", "")),
                    env.get(ClientSettings.API_KEY),
                    env.get(ClientSettings.CALLER_DIR));
        }
    }

    private static final Set<String> TERMINAL = Set.of("completed", "failed", "expired", "cancelled");

    private final BatchApi api;
    private final Path workingDirectory;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final Duration poll;

    /**
     * The command over {@code api}, with file arguments relative to {@code workingDirectory}; a
     * batch being waited for is asked for its progress every {@code poll}.
     */
    BatchCommand(
            BatchApi api, Path workingDirectory, PrintStream out, PrintStream err, boolean terminal, Duration poll) {
        this.api = api;
        this.workingDirectory = workingDirectory;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.poll = poll;
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            (args.length == 0 ? System.err : System.out).println(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        int status;
        try {
            Target target = Target.from(Env.system());
            status = new BatchCommand(
                            new BatchApi(target.url(), target.apiKey()),
                            target.callerDir(),
                            System.out,
                            System.err,
                            System.console() != null,
                            Duration.ofSeconds(1))
                    .run(List.of(args));
        } catch (ConfigException | IllegalStateException e) {
            System.err.println("askpipe batch: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    /** Runs the command line {@code args}; returns the exit status. */
    int run(List<String> args) {
        if (args.isEmpty()) {
            err.println(USAGE);
            return 2;
        }
        if (args.get(0).equals("--help") || args.get(0).equals("help")) {
            out.println(USAGE);
            return 0;
        }
        try {
            return switch (args.get(0)) {
                case "submit" -> submit(args.subList(1, args.size()));
                case "list" -> list(args.subList(1, args.size()));
                case "status" -> status(one(args));
                case "cancel" -> cancel(one(args));
                default -> throw new IllegalArgumentException("unknown command " + args.get(0));
            };
        } catch (IllegalArgumentException e) {
            err.println("askpipe batch: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (IOException e) {
            err.println("askpipe batch: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("askpipe batch: interrupted");
            return 1;
        }
    }

    private int submit(List<String> args) throws IOException, InterruptedException {
        String file = null;
        boolean wait = false;
        Path outDir = workingDirectory;
        String window = "24h";
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--wait" -> wait = true;
                case "--out" -> {
                    outDir = workingDirectory.resolve(value(args, ++i, "--out"));
                    wait = true;
                }
                case "--window" -> window = value(args, ++i, "--window");
                default -> {
                    if (args.get(i).startsWith("--") || file != null) {
                        throw new IllegalArgumentException("unexpected argument " + args.get(i));
                    }
                    file = args.get(i);
                }
            }
        }
        if (file == null) {
            throw new IllegalArgumentException("submit needs a FILE.jsonl");
        }
        Path input = workingDirectory.resolve(file);
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException("no such file: " + input);
        }
        JsonNode uploaded = api.upload(input);
        out.println("uploaded " + input.getFileName() + " as "
                + uploaded.path("id").asText() + " (" + uploaded.path("bytes").asLong() + " bytes)");
        JsonNode batch = api.create(uploaded.path("id").asText(), window);
        String id = batch.path("id").asText();
        out.println("batch " + id + " " + batch.path("status").asText());
        if (!wait) {
            out.println("follow it with: ./askpipe batch status " + id);
            return 0;
        }
        batch = follow(id);
        describe(batch);
        Files.createDirectories(outDir);
        download(batch, "output_file_id", outDir.resolve(id + "_output.jsonl"));
        download(batch, "error_file_id", outDir.resolve(id + "_errors.jsonl"));
        return exitStatus(batch);
    }

    /** Polls the batch until it is terminal, showing its progress. */
    private JsonNode follow(String id) throws IOException, InterruptedException {
        Progress progress = new Progress(out, terminal);
        while (true) {
            JsonNode batch = api.retrieve(id);
            JsonNode counts = batch.path("request_counts");
            String status = batch.path("status").asText();
            progress.show(
                    status,
                    counts.path("completed").asLong(),
                    counts.path("failed").asLong(),
                    counts.path("total").asLong());
            if (TERMINAL.contains(status)) {
                progress.done();
                return batch;
            }
            Thread.sleep(poll);
        }
    }

    private void download(JsonNode batch, String field, Path target) throws IOException, InterruptedException {
        JsonNode fileId = batch.path(field);
        if (fileId.isTextual()) {
            api.download(fileId.textValue(), target);
            out.println((field.startsWith("output") ? "output: " : "errors: ") + target);
        }
    }

    private int list(List<String> args) throws IOException, InterruptedException {
        int limit = 20;
        for (int i = 0; i < args.size(); i++) {
            if (!args.get(i).equals("--limit")) {
                throw new IllegalArgumentException("unexpected argument " + args.get(i));
            }
            try {
                limit = Integer.parseInt(value(args, ++i, "--limit"));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--limit takes a number");
            }
        }
        JsonNode page = api.list(limit, null);
        out.printf("%-40s %-11s %9s %9s %9s  %s%n", "ID", "STATUS", "TOTAL", "COMPLETED", "FAILED", "CREATED");
        for (JsonNode batch : page.path("data")) {
            JsonNode counts = batch.path("request_counts");
            out.printf(
                    "%-40s %-11s %9d %9d %9d  %s%n",
                    batch.path("id").asText(),
                    batch.path("status").asText(),
                    counts.path("total").asLong(),
                    counts.path("completed").asLong(),
                    counts.path("failed").asLong(),
                    Instant.ofEpochSecond(batch.path("created_at").asLong()));
        }
        return 0;
    }

    private int status(String id) throws IOException, InterruptedException {
        JsonNode batch = api.retrieve(id);
        describe(batch);
        return TERMINAL.contains(batch.path("status").asText()) ? exitStatus(batch) : 0;
    }

    private int cancel(String id) throws IOException, InterruptedException {
        JsonNode batch = api.cancel(id);
        out.println("batch " + id + " " + batch.path("status").asText());
        return 0;
    }

    /** Prints the batch's status, counts, files and errors. */
    private void describe(JsonNode batch) {
        JsonNode counts = batch.path("request_counts");
        out.println("batch " + batch.path("id").asText() + " "
                + batch.path("status").asText() + ": "
                + counts.path("completed").asLong() + " completed, "
                + counts.path("failed").asLong()
                + " failed of " + counts.path("total").asLong());
        for (String field : List.of("input_file_id", "output_file_id", "error_file_id")) {
            if (batch.path(field).isTextual()) {
                out.println("  " + field + ": " + batch.path(field).textValue());
            }
        }
        List<String> errors = new ArrayList<>();
        for (JsonNode error : batch.path("errors").path("data")) {
            errors.add("  line " + error.path("line").asText("?") + ": "
                    + error.path("code").asText() + ": " + error.path("message").asText());
        }
        errors.forEach(out::println);
    }

    private static int exitStatus(JsonNode batch) {
        return "completed".equals(batch.path("status").asText()) ? 0 : 3;
    }

    private static String one(List<String> args) {
        if (args.size() != 2) {
            throw new IllegalArgumentException(args.get(0) + " takes one batch id");
        }
        return args.get(1);
    }

    private static String value(List<String> args, int index, String option) {
        if (index >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(index);
    }
}
