package io.askpipe.bench.profile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads a JFR recording once, event by event: its execution samples into a {@link Tally}, its
 * periodic CPU, garbage collection and compiler events into a {@link CpuAccount}.
 */
public final class RecordingReader {
    private RecordingReader() {}

    /** Reads the recording at {@code file}. */
    public static CpuProfileResult read(Path file) throws IOException {
        Tally tally = new Tally();
        CpuAccount account = new CpuAccount();
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                account.seen(event.getStartTime());
                switch (event.getEventType().getName()) {
                    case "jdk.ExecutionSample" ->
                        tally.add(
                                sample(event),
                                Optional.ofNullable(event.getStackTrace())
                                        .map(RecordedStackTrace::isTruncated)
                                        .orElse(false));
                    case "jdk.CPULoad" ->
                        account.cpuLoad(event.getStartTime(), event.getFloat("jvmUser") + event.getFloat("jvmSystem"));
                    case "jdk.CPUInformation" -> account.cpuInformation(event.getInt("hwThreads"));
                    case "jdk.GCConfiguration" ->
                        account.gcConfiguration(
                                event.getString("youngCollector"),
                                event.getString("oldCollector"),
                                event.getInt("parallelGCThreads"));
                    case "jdk.GarbageCollection" -> account.garbageCollection(event.getDuration("sumOfPauses"));
                    case "jdk.CompilerStatistics" ->
                        account.compilerStatistics(event.getStartTime(), event.getDuration("totalTimeSpent"));
                    default -> {}
                }
            }
        }
        return new CpuProfileResult(file, tally.counts(), account.result());
    }

    /** The sample as the attribution reads it: its thread's name, whether virtual, its frames' classes. */
    static Sample sample(RecordedEvent event) {
        Optional<RecordedThread> thread = Optional.ofNullable(event.getThread("sampledThread"));
        List<String> frames = Optional.ofNullable(event.getStackTrace())
                .map(trace -> trace.getFrames().stream()
                        .map(RecordedFrame::getMethod)
                        .map(method -> method.getType().getName())
                        .toList())
                .orElse(List.of());
        return new Sample(
                thread.map(RecordedThread::getJavaName).orElse(""),
                thread.map(RecordedThread::isVirtual).orElse(false),
                frames);
    }
}
