package io.askpipe.bench.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.askpipe.bench.profile.Part.Component;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real recording of a few busy threads named as the broker and Vert.x name theirs, and a virtual thread. */
class RecordingReaderTest {
    private static final AtomicBoolean RUNNING = new AtomicBoolean();

    /** Work that stays on the CPU and in Java code until told to stop. */
    static long spin() {
        long x = 0;
        while (RUNNING.get()) {
            x += Long.numberOfTrailingZeros(x * 31 + 7);
        }
        return x;
    }

    @Test
    void executionSamplesGoToTheirThreadsPartsAndTheJvmsCpuIsRead(@TempDir Path dir) throws Exception {
        CpuProfileResult result = RecordingReader.read(record(dir.resolve("busy.jfr"), false));

        assertThat(result.samples().event()).isEqualTo(RecordingReader.EXECUTION_SAMPLE);
        assertThat(result.samples().cpuSeconds()).isZero();
        assertAttributed(result);
    }

    @Test
    void cpuTimeSamplesComeBeforeExecutionSamples(@TempDir Path dir) throws Exception {
        assumeTrue(
                Runtime.version().feature() >= 25
                        && System.getProperty("os.name").equals("Linux"),
                "jdk.CPUTimeSample: JDK 25 on Linux");

        CpuProfileResult result = RecordingReader.read(record(dir.resolve("busy.jfr"), true));

        assertThat(result.samples().event()).isEqualTo(RecordingReader.CPU_TIME_SAMPLE);
        assertThat(result.samples().cpuSeconds()).isPositive();
        assertAttributed(result);
    }

    private static void assertAttributed(CpuProfileResult result) {
        SampleCounts samples = result.samples();
        assertThat(samples.of(Part.BROKER_REQUESTS)).isPositive();
        assertThat(samples.of(Part.HTTP_EVENT_LOOPS)).isPositive();
        assertThat(samples.of(Part.virtualThreads(Component.SHARED)))
                .as("a virtual thread running io.askpipe.bench code")
                .isPositive();
        assertThat(result.cpu().cpuSeconds())
                .hasValueSatisfying(s -> assertThat(s).isPositive());
        assertThat(result.cpu().hardwareThreads())
                .hasValueSatisfying(n -> assertThat(n).isPositive());
        assertThat(result.cpu().compilerThreadSeconds()).isPresent();
        assertThat(result.cpu().recorded()).isGreaterThan(Duration.ofSeconds(1));
    }

    /** Records three busy threads for 1.5 s into {@code file}, with CPU-time samples if {@code cpuTime}. */
    private static Path record(Path file, boolean cpuTime) throws Exception {
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            if (cpuTime) {
                recording.enable(RecordingReader.CPU_TIME_SAMPLE).with("throttle", "10ms");
            }
            recording.enable("jdk.CPULoad").withPeriod(Duration.ofMillis(100));
            recording.enable("jdk.CPUInformation");
            recording.enable("jdk.CompilerStatistics").withPeriod(Duration.ofMillis(100));
            recording.enable("jdk.GCConfiguration");
            recording.enable("jdk.GarbageCollection");
            recording.enable("jdk.GCCPUTime");
            recording.enable("jdk.ThreadCPULoad").withPeriod(Duration.ofMillis(200));
            recording.start();
            RUNNING.set(true);
            List<Thread> threads = new ArrayList<>();
            threads.add(Thread.ofPlatform()
                    .name("data-plane-kafka-request-handler-0")
                    .start(RecordingReaderTest::spin));
            threads.add(Thread.ofPlatform().name("vert.x-eventloop-thread-0").start(RecordingReaderTest::spin));
            threads.add(Thread.ofVirtual().start(RecordingReaderTest::spin));
            Thread.sleep(1500);
            RUNNING.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
            recording.stop();
            recording.dump(file);
        }
        return file;
    }
}
