package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's Java example is the body of {@link BatchExample#main}, line for line, so that what
 * a reader copies is what the tests run.
 */
class BatchExampleTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Path EXAMPLE =
            Path.of("src", "test", "java", "io", "askpipe", "devstack", "BatchExample.java");
    /** The README's comment right above the example's code block. */
    static final String MARKER = "<!-- BatchExample:";

    @Test
    void theReadmeShowsTheExampleAsItIs() throws IOException {
        List<String> readme = Files.readAllLines(README);
        int marker = indexOf(readme, MARKER, 0);
        assertThat(marker)
                .as("README holds the comment %s above the example", MARKER)
                .isNotNegative();
        assertThat(readme.get(marker + 1)).isEqualTo("```java");
        List<String> shown = readme.subList(marker + 2, indexOf(readme, "```", marker + 2));

        List<String> code = Files.readAllLines(EXAMPLE);
        List<String> body =
                code.subList(indexOf(code, "// README: begin", 0) + 1, indexOf(code, "// README: end", 0)).stream()
                        .map(line -> line.isBlank() ? "" : line.substring(8))
                        .toList();

        assertThat(shown)
                .as("the README's example is the body of BatchExample.main between its README markers; copy it")
                .containsExactlyElementsOf(body);
    }

    /** The first line at or after {@code from} that starts with {@code prefix} once stripped; -1 if none. */
    private static int indexOf(List<String> lines, String prefix, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).strip().startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
