package io.askpipe.drill.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.cli.BatchApi;
import io.askpipe.common.retry.Backoff;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A drill's batch on the deployment, as a client of its Files and Batches API: the input uploaded
 * and the batch created (a 24-hour window) while the asks run, then followed until it ends, when
 * its output and error files are downloaded. Run once as a task ({@link #call()}); its state is read
 * from any thread.
 */
public final class BatchRun implements Callable<Void> {
    /** The batch's {@code completion_window}: OpenAI's only one. */
    static final String WINDOW = "24h";
    /** How often the batch is retrieved while it runs: its end is seen within this. */
    private static final Duration POLL = Duration.ofMillis(500);

    /**
     * What came of the batch.
     *
     * @param input its input
     * @param state the batch as last retrieved; empty if it was never created
     * @param seconds from its creation to the retrieve that saw it ended, if it did
     * @param output its output file, downloaded, if it has one
     * @param errors its error file, downloaded, if it has one
     * @param problem why it could not be created, followed or collected, if so
     */
    public record Outcome(
            BatchInput input,
            Optional<BatchState> state,
            OptionalDouble seconds,
            Optional<Path> output,
            Optional<Path> errors,
            Optional<String> problem) {}

    private final BatchApi api;
    private final BatchInput input;
    private final Path dir;
    private final PrintStream out;
    private final CountDownLatch done = new CountDownLatch(1);

    private volatile Optional<BatchState> state = Optional.empty();
    private volatile OptionalDouble seconds = OptionalDouble.empty();
    private volatile Optional<Path> output = Optional.empty();
    private volatile Optional<Path> errors = Optional.empty();
    private volatile Optional<String> problem = Optional.empty();

    /**
     * @param ingest where the API is
     * @param dir where the input, output and error files are written
     */
    public BatchRun(URI ingest, String apiKey, BatchInput input, Path dir, PrintStream out) {
        this.api = new BatchApi(ingest, apiKey);
        this.input = input;
        this.dir = dir;
        this.out = out;
    }

    @Override
    public Void call() throws InterruptedException {
        try {
            Path file = input.write(dir.resolve("input.jsonl"));
            String fileId =
                    retried("upload", true, () -> api.upload(file)).path("id").asText();
            // a create that may have reached the API is not sent again: it would make a second batch
            BatchState current = BatchState.of(retried("create", false, () -> api.create(fileId, WINDOW)));
            long created = System.nanoTime();
            state = Optional.of(current);
            out.printf("drill: batch %s of %d lines created from %s%n", current.id(), input.lines(), fileId);
            while (!current.ended()) {
                Thread.sleep(POLL);
                String id = current.id();
                current = BatchState.of(retried("retrieve", true, () -> api.retrieve(id)));
                state = Optional.of(current);
            }
            seconds = OptionalDouble.of((System.nanoTime() - created) / 1e9);
            out.printf(
                    "drill: batch %s %s after %.1f s: %d completed, %d failed of %d%n",
                    current.id(),
                    current.status(),
                    seconds.getAsDouble(),
                    current.completed(),
                    current.failed(),
                    current.total());
            output = download(current.outputFileId(), "output.jsonl");
            errors = download(current.errorFileId(), "errors.jsonl");
        } catch (IOException e) {
            problem = Optional.of(e.getMessage());
            out.println("drill: batch: " + e.getMessage());
        } finally {
            done.countDown();
        }
        return null;
    }

    /** The batch as last retrieved; empty until it is created. */
    public Optional<BatchState> state() {
        return state;
    }

    /**
     * Waits until the batch has ended and its files are downloaded, or it failed to; false if
     * {@code timeout} passed first.
     */
    public boolean awaitDone(Duration timeout) throws InterruptedException {
        return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** What came of the batch so far. */
    public Outcome outcome() {
        return new Outcome(input, state, seconds, output, errors, problem);
    }

    private Optional<Path> download(Optional<String> fileId, String name) throws IOException, InterruptedException {
        if (fileId.isEmpty()) {
            return Optional.empty();
        }
        Path target = dir.resolve(name);
        retried("download of " + fileId.get(), true, () -> {
            api.download(fileId.get(), target);
            return null;
        });
        return Optional.of(target);
    }

    /** A call to the API. */
    private interface Call {
        JsonNode call() throws IOException, InterruptedException;
    }

    /**
     * {@code call}, tried again while the API is unavailable (a 503 or 429, or no connection) and,
     * when {@code repeatable}, after any failure but a refusal (4xx), until {@link Load#GIVE_UP}
     * has passed.
     */
    private static JsonNode retried(String what, boolean repeatable, Call call)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Load.GIVE_UP.toNanos();
        Backoff.Delays delays = Load.CLIENT_BACKOFF.delays();
        while (true) {
            try {
                return call.call();
            } catch (IOException e) {
                if (!retriable(e, repeatable) || System.nanoTime() > deadline) {
                    throw new IOException(what + " failed: " + e.getMessage(), e);
                }
            }
            Thread.sleep(delays.next());
        }
    }

    private static boolean retriable(IOException e, boolean repeatable) {
        if (e instanceof BatchApi.Failure failure) {
            int status = failure.status();
            return status == 503 || status == 429 || (repeatable && status >= 500);
        }
        return repeatable || e instanceof ConnectException || e.getCause() instanceof ConnectException;
    }
}
