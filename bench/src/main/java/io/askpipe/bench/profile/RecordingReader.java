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
 * Reads a JFR recording once, event by event: its CPU samples into a {@link Tally} per kind, its
 * periodic CPU, thread, garbage collection and compiler events into a {@link CpuAccount}.
 *
 * <p>A recording with CPU-time samples ({@code jdk.CPUTimeSample}, JDK 25 on Linux) is profiled by
 * those: each stands for 10 ms of a thread's CPU, native code included, so the parts' shares are
 * shares of CPU. Else by execution samples ({@code jdk.ExecutionSample}), which sample the threads
 * in Java code every 10 or 20 ms whether or not they are on a CPU: they miss threads in native code
 * (the broker's network threads' I/O), and on a machine with more runnable threads than CPUs they
 * also count threads waiting for one.
 */
public final class RecordingReader {
    static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";
    static final String CPU_TIME_SAMPLE = "jdk.CPUTimeSample";

    private RecordingReader() {}

    /** Reads the recording at {@code file}. */
    public static CpuProfileResult read(Path file) throws IOException {
        Tally execution = new Tally(EXECUTION_SAMPLE);
        Tally cpuTime = new Tally(CPU_TIME_SAMPLE);
        CpuAccount account = new CpuAccount();
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                account.seen(event.getStartTime());
                switch (event.getEventType().getName()) {
                    case EXECUTION_SAMPLE -> execution.add(sample(event, "sampledThread"), truncated(event));
                    case CPU_TIME_SAMPLE ->
                        cpuTime.add(
                                sample(event, "eventThread"), truncated(event), event.getDuration("samplingPeriod"));
                    case "jdk.CPULoad" ->
                        account.cpuLoad(event.getStartTime(), event.getFloat("jvmUser") + event.getFloat("jvmSystem"));
                    case "jdk.CPUInformation" -> account.cpuInformation(event.getInt("hwThreads"));
                    case "jdk.ThreadCPULoad" ->
                        thread(event, "eventThread")
                                .ifPresent(thread -> account.threadLoad(
                                        event.getStartTime(),
                                        thread.getId(),
                                        name(thread),
                                        event.getFloat("user") + event.getFloat("system")));
                    case "jdk.ThreadStart" ->
                        thread(event, "thread")
                                .ifPresent(thread -> account.threadStart(thread.getId(), event.getStartTime()));
                    case "jdk.GCConfiguration" ->
                        account.gcConfiguration(
                                event.getString("youngCollector"),
                                event.getString("oldCollector"),
                                event.getInt("parallelGCThreads"));
                    case "jdk.GarbageCollection" -> account.garbageCollection(event.getDuration("sumOfPauses"));
                    case "jdk.GCCPUTime" ->
                        account.gcCpuTime(event.getDuration("userTime").plus(event.getDuration("systemTime")));
                    case "jdk.CompilerStatistics" ->
                        account.compilerStatistics(event.getStartTime(), event.getDuration("totalTimeSpent"));
                    default -> {}
                }
            }
        }
        Tally samples = cpuTime.counts().samples() > 0 ? cpuTime : execution;
        return new CpuProfileResult(file, samples.counts(), account.result());
    }

    /** The sample as the attribution reads it: its thread's name, whether virtual, its frames' classes. */
    static Sample sample(RecordedEvent event, String threadField) {
        Optional<RecordedThread> thread = thread(event, threadField);
        List<String> frames = Optional.ofNullable(event.getStackTrace())
                .map(trace -> trace.getFrames().stream()
                        .map(RecordedFrame::getMethod)
                        .map(method -> method.getType().getName())
                        .toList())
                .orElse(List.of());
        return new Sample(
                thread.map(RecordingReader::name).orElse(""),
                thread.map(RecordedThread::isVirtual).orElse(false),
                frames);
    }

    private static boolean truncated(RecordedEvent event) {
        return Optional.ofNullable(event.getStackTrace())
                .map(RecordedStackTrace::isTruncated)
                .orElse(false);
    }

    private static Optional<RecordedThread> thread(RecordedEvent event, String field) {
        return event.hasField(field) ? Optional.ofNullable(event.getThread(field)) : Optional.empty();
    }

    /** The thread's Java name; the JVM's own threads have only an OS name. */
    private static String name(RecordedThread thread) {
        return Optional.ofNullable(thread.getJavaName())
                .or(() -> Optional.ofNullable(thread.getOSName()))
                .orElse("");
    }
}
