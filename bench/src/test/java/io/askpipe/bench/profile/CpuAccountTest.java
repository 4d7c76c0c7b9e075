package io.askpipe.bench.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CpuAccountTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    private static Instant at(double seconds) {
        return T0.plusMillis((long) (seconds * 1000));
    }

    @Test
    void theJvmsCpuIsEachLoadOverTheTimeSinceTheOneBeforeTimesTheHardwareThreads() {
        CpuAccount account = new CpuAccount();
        account.cpuInformation(2);
        // read out of order: a recording's events are not sorted across types
        account.cpuLoad(at(2), 0.25);
        account.cpuLoad(at(0), 0.9); // the first: no time before it is known
        account.cpuLoad(at(1), 0.5);
        account.cpuLoad(at(4), 0.75);
        account.seen(at(4));
        account.seen(at(-1));

        JvmCpu cpu = account.result();

        // 0.5 * 1 s + 0.25 * 1 s + 0.75 * 2 s = 2.25 machine-seconds, on 2 threads
        assertThat(cpu.cpuSeconds()).hasValueSatisfying(s -> assertThat(s).isCloseTo(4.5, within(1e-9)));
        assertThat(cpu.recorded()).isEqualTo(Duration.ofSeconds(5));
        assertThat(cpu.hardwareThreads()).contains(2);
    }

    @Test
    void withoutTheHardwareThreadsOrTwoLoadsTheJvmsCpuIsUnknown() {
        CpuAccount noThreads = new CpuAccount();
        noThreads.cpuLoad(at(0), 0.5);
        noThreads.cpuLoad(at(1), 0.5);
        assertThat(noThreads.result().cpuSeconds()).isEmpty();
        assertThat(noThreads.result().sampledShare()).isEqualTo(1.0);

        CpuAccount oneLoad = new CpuAccount();
        oneLoad.cpuInformation(4);
        oneLoad.cpuLoad(at(0), 0.5);
        assertThat(oneLoad.result().cpuSeconds()).isEmpty();
    }

    @Test
    void serialPausesKeepOneThreadBusyOtherCollectorsTheirParallelThreads() {
        CpuAccount serial = new CpuAccount();
        serial.gcConfiguration("DefNew", "SerialOld", 2);
        serial.garbageCollection(Duration.ofMillis(300));
        serial.garbageCollection(Duration.ofMillis(200));
        assertThat(serial.result().collections()).isEqualTo(2);
        assertThat(serial.result().gcSeconds()).isCloseTo(0.5, within(1e-9));
        assertThat(serial.result().collector()).contains("DefNew/SerialOld");

        CpuAccount g1 = new CpuAccount();
        g1.gcConfiguration("G1New", "G1Old", 4);
        g1.garbageCollection(Duration.ofMillis(100));
        assertThat(g1.result().gcSeconds()).isCloseTo(0.4, within(1e-9));
    }

    @Test
    void measuredGcCpuComesBeforePausesTimesThreads() {
        CpuAccount account = new CpuAccount();
        account.gcConfiguration("G1New", "G1Old", 2);
        account.garbageCollection(Duration.ofMillis(300));
        account.gcCpuTime(Duration.ofMillis(120));
        account.gcCpuTime(Duration.ofMillis(30));

        assertThat(account.result().gcPauseSeconds()).isCloseTo(0.3, within(1e-9));
        assertThat(account.result().gcSeconds()).isCloseTo(0.15, within(1e-9));
    }

    @Test
    void compileTimeIsWhatItsTotalGrewWhileRecording() {
        CpuAccount account = new CpuAccount();
        account.compilerStatistics(at(10), Duration.ofMillis(9_000));
        account.compilerStatistics(at(0), Duration.ofMillis(4_000));
        account.compilerStatistics(at(5), Duration.ofMillis(7_500));
        assertThat(account.result().compileSeconds())
                .hasValueSatisfying(s -> assertThat(s).isCloseTo(5.0, within(1e-9)));
        assertThat(account.result().jitSeconds()).isEqualTo(account.result().compileSeconds());
    }

    @Test
    void theCompilerThreadsCpuComesBeforeCompileTime() {
        CpuAccount account = new CpuAccount();
        account.cpuInformation(2);
        account.seen(at(0));
        account.compilerStatistics(at(0), Duration.ZERO);
        account.compilerStatistics(at(20), Duration.ofSeconds(30));
        for (int round = 1; round <= 2; round++) {
            account.threadLoad(at(10 * round), 17, "C2 CompilerThread0", 0.25);
            account.threadLoad(at(10 * round), 18, "C1 CompilerThread0", 0.05);
            account.threadLoad(at(10 * round), 40, "data-plane-kafka-request-handler-0", 0.5);
        }

        JvmCpu cpu = account.result();

        // (0.25 + 0.05) of 2 processors for 20 s
        assertThat(cpu.compilerThreadSeconds())
                .hasValueSatisfying(s -> assertThat(s).isCloseTo(12.0, within(1e-9)));
        assertThat(cpu.jitSeconds()).isEqualTo(cpu.compilerThreadSeconds());
        assertThat(cpu.compileSeconds()).hasValueSatisfying(s -> assertThat(s).isCloseTo(30.0, within(1e-9)));
    }

    @Test
    void theSamplesStandForTheCpuButGarbageCollectionAndCompilation() {
        CpuAccount account = new CpuAccount();
        account.cpuInformation(1);
        account.cpuLoad(at(0), 1.0);
        account.cpuLoad(at(10), 1.0);
        account.gcConfiguration("DefNew", "SerialOld", 1);
        account.garbageCollection(Duration.ofSeconds(1));
        account.compilerStatistics(at(0), Duration.ZERO);
        account.compilerStatistics(at(10), Duration.ofSeconds(2));

        JvmCpu cpu = account.result();

        assertThat(cpu.cpuSeconds()).hasValueSatisfying(s -> assertThat(s).isCloseTo(10.0, within(1e-9)));
        assertThat(cpu.unsampledSeconds()).isCloseTo(3.0, within(1e-9));
        assertThat(cpu.sampledShare()).isCloseTo(0.7, within(1e-9));
    }
}
