package io.askpipe.ingest.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineCounterTest {
    private static LineCounter counted(String... pieces) {
        LineCounter counter = new LineCounter();
        for (String piece : pieces) {
            byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
            counter.add(bytes, 0, bytes.length);
        }
        return counter;
    }

    @Test
    void countsNothingInNothing() {
        assertThat(counted().lines()).isZero();
        assertThat(counted("", "").lines()).isZero();
    }

    @Test
    void countsALastLineWithoutItsNewline() {
        assertThat(counted("a\nb").lines()).isEqualTo(2);
        assertThat(counted("a\nb\n").lines()).isEqualTo(2);
        assertThat(counted("a").lines()).isEqualTo(1);
    }

    @Test
    void countsBlankLines() {
        assertThat(counted("\n\n\n").lines()).isEqualTo(3);
    }

    @Test
    void countsLinesSplitAcrossPieces() {
        LineCounter counter = counted("{\"a\":", "1}\n{\"b\"", ":2}", "\n", "");

        assertThat(counter.lines()).isEqualTo(2);
        assertThat(counter.bytes()).isEqualTo("{\"a\":1}\n{\"b\":2}\n".length());
    }

    @Test
    void countsOnlyTheGivenRange() {
        LineCounter counter = new LineCounter();
        byte[] bytes = "x\ny\nz".getBytes(StandardCharsets.UTF_8);
        counter.add(bytes, 2, 2);

        assertThat(counter.lines()).isEqualTo(1);
        assertThat(counter.bytes()).isEqualTo(2);
    }
}
