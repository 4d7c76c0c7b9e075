package io.askpipe.jmh.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The baseline hashes exactly what the fingerprint hashes. */
class FingerprintBenchmarkTest {

    @Test
    void theBaselineDigestIsTheFingerprint() throws Exception {
        FingerprintBenchmark benchmark = new FingerprintBenchmark();
        benchmark.setUp();

        String fingerprint = benchmark.fingerprint();
        assertThat(fingerprint).matches("[0-9a-f]{64}");
        assertThat(HexFormat.of().formatHex(benchmark.sha256Baseline())).isEqualTo(fingerprint);
        assertThat(benchmark.fingerprint()).as("repeatable").isEqualTo(fingerprint);
    }
}
