package io.askpipe.bench;

import io.askpipe.bench.profile.CpuProfileOptions;
import io.askpipe.bench.profile.CpuProfileReport;
import io.askpipe.bench.profile.CpuProfileResult;
import io.askpipe.bench.profile.RecordingReader;
import io.askpipe.common.config.ClientSettings;
import io.askpipe.common.config.Env;
import io.askpipe.schemas.Json;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What share of the JVM's CPU each part of the pipeline takes, from a JFR recording of it, such as
 * {@code ./askpipe bench AskLoad --profile stack.jfr} makes of the all-in-one stack under load: the
 * broker's request handlers, network and other threads; ingest's, the router's and the result
 * store's threads, Kafka clients and virtual threads; Vert.x; the JVM's own.
 *
 * <p>Each CPU sample ({@code jdk.CPUTimeSample} where the recording has them, as AskLoad's has on
 * JDK 25 and Linux; else {@code jdk.ExecutionSample}) is charged to a part by its thread's name, or,
 * for virtual threads and their carriers, by the askpipe service whose frame is nearest the top of
 * its stack; within each part, to the library on top of the stack (the JDK's frames count for their
 * caller). The JVM's CPU over the recording ({@code jdk.CPULoad}) and what of it the samples do not
 * see (garbage collection, {@code jdk.GCCPUTime}; the JIT compiler threads, their {@code
 * jdk.ThreadCPULoad}) turn the shares of the samples into shares of the JVM's CPU; {@code
 * --per-ask-ms} (the JVM's CPU per completed ask that AskLoad measured) turns those into
 * milliseconds per ask.
 *
 * <p>Prints the table in Markdown; the same figures go to the JSON file if one is named. Paths are
 * relative to the directory the command was run in.
 *
 * <p>{@code ./askpipe bench CpuProfile FILE.jfr [--per-ask-ms X] [--json FILE]}
 */
public final class CpuProfile {
    private CpuProfile() {}

    public static void main(String[] args) throws Exception {
        CpuProfileOptions options = CpuProfileOptions.parse(Env.system().get(ClientSettings.CALLER_DIR), args);
        CpuProfileResult result = RecordingReader.read(options.recording());
        System.out.print(CpuProfileReport.table(result, options.perAskMs()));
        if (options.json().isPresent()) {
            Path json = options.json().get().toAbsolutePath();
            Files.createDirectories(json.getParent());
            Json.mapper()
                    .writerWithDefaultPrettyPrinter()
                    .writeValue(json.toFile(), CpuProfileReport.json(result, options.perAskMs()));
            System.out.println();
            System.out.println("the same figures in " + json);
        }
    }
}
