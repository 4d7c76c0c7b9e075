package io.askpipe.bench;

import io.askpipe.bench.batch.BatchLoadOptions;
import io.askpipe.bench.batch.BatchLoadReport;
import io.askpipe.bench.batch.BatchLoadResult;
import io.askpipe.bench.batch.BatchPhases;
import io.askpipe.schemas.Json;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A batch of OpenAI's Batch API on askpipe, from its upload to its output file, on a fresh
 * deployment of the drill's kind: an embedded broker and PostgreSQL in this process, and ingest-api,
 * the router worker(s) and the result store each as its own JVM ({@code -Xmx256m}, chaos off, the
 * {@code dryrun} backend answering at once), so that each service's memory is its own.
 *
 * <p>After a warm-up (submits, long-polled asks and a 1,000-line batch, not counted), in one run:
 *
 * <ol>
 *   <li><b>Interactive asks alone</b>: {@code --rate} asks a second for {@code --seconds} (open
 *       loop: each timed from when it was due), each submitted to ingest and long-polled at the
 *       result store ({@code GET /v1/ask/{id}?wait=10}) until terminal; submit to result p50/p99.
 *   <li><b>Interactive completed asks per second</b>: {@code --clients} submits in flight for
 *       {@code --closed-seconds} (closed loop, no polls), then the rate at which the accepted asks
 *       reached a terminal row in {@code store.asks}, from the first acceptance to the last row.
 *   <li><b>Upload</b> of a {@code --lines}-line input file ({@code POST /v1/files}, streamed from
 *       disk): bytes, seconds, MB/s.
 *   <li><b>The batch</b>, from its create to {@code completed}: lines per second against the
 *       interactive completed asks per second, and where the time went (its timestamps, its lines'
 *       rows in the result store, their settlement), while <b>interactive asks at the same rate</b>
 *       run beside it until it ends: their p50/p99 against those alone.
 *   <li><b>Download</b> of its output and error files, streamed and counted.
 *   <li><b>Memory</b>: each service's heap in use (its {@code /metrics}) and proportional set size
 *       ({@code /proc/PID/smaps_rollup}) every {@code --sample-ms}, their peaks phase by phase
 *       (upload; the batch's validating, expanding, draining and finalizing stages; download), with
 *       the machine's load average.
 * </ol>
 *
 * <p>Every ask and every line carries the same body: a message of {@code --prompt-words} words to
 * {@code dryrun}, its echo cut to 16 words. Prints progress, then three tables; the same figures
 * go to the JSON file.
 *
 * <p>{@code ./askpipe bench BatchLoad [--lines 50000] [--rate 50] [--seconds 30] [--closed-seconds
 * 30] [--clients 64] [--prompt-words 100] [--sample-ms 500] [--workers 1] [--chunk LINES] [--json
 * target/batchload.json]}
 */
public final class BatchLoad {
    private BatchLoad() {}

    public static void main(String[] args) throws Exception {
        BatchLoadOptions options = BatchLoadOptions.parse(args);
        BatchLoadResult result = BatchPhases.run(options);
        System.out.println();
        System.out.print(BatchLoadReport.tables(result));
        Path json = options.json().toAbsolutePath();
        Files.createDirectories(json.getParent());
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), BatchLoadReport.json(result));
        System.out.println();
        System.out.println("the same figures, and more, in " + json);
        System.exit(0); // the deployment's clients leave threads behind
    }
}
