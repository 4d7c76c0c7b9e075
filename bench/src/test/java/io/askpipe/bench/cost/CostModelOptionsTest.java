package io.askpipe.bench.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CostModelOptionsTest {
    @Test
    void defaultsAreTwentyThousandAsksOfTwoKilobytesInBatchesOfSixtyFour() {
        CostModelOptions options = CostModelOptions.parse();

        assertThat(options.asks()).isEqualTo(20_000);
        assertThat(options.warmup()).isEqualTo(20_000);
        assertThat(options.batch()).isEqualTo(64);
        assertThat(options.recordBytes()).isEqualTo(2048);
        assertThat(options.json()).isEqualTo(Path.of("target/costmodel.json"));
        assertThat(options.total()).isEqualTo(40_000);
    }

    @Test
    void theWarmUpIsAsManyAsksAsTheMeasuredUnlessSetItself() {
        assertThat(CostModelOptions.parse("--asks", "2000").warmup()).isEqualTo(2000);
        assertThat(CostModelOptions.parse("--asks", "2000", "--warmup", "0").warmup())
                .isZero();
    }

    @Test
    void readsEveryOption() {
        CostModelOptions options = CostModelOptions.parse(
                "--asks", "100", "--warmup", "10", "--batch", "8", "--record-bytes", "512", "--json", "out.json");

        assertThat(options).isEqualTo(new CostModelOptions(100, 10, 8, 512, Path.of("out.json")));
    }

    @Test
    void refusesAnUnknownOptionAMissingValueOrANumberOutOfRange() {
        assertThatThrownBy(() -> CostModelOptions.parse("--rate", "5")).hasMessageStartingWith("usage:");
        assertThatThrownBy(() -> CostModelOptions.parse("--asks")).hasMessageStartingWith("usage:");
        assertThatThrownBy(() -> CostModelOptions.parse("--asks", "many")).hasMessageStartingWith("usage:");
        assertThatThrownBy(() -> CostModelOptions.parse("--batch", "0")).hasMessageStartingWith("usage:");
    }
}
