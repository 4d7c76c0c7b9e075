package io.askpipe.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ErrorTypeTest {
    private static final Path DOCS = Path.of("..", "docs");

    @Test
    void wireNamesAreUniqueAndReadBack() {
        for (ErrorType type : ErrorType.values()) {
            assertThat(ErrorType.fromWireName(type.wireName())).contains(type);
            assertThat(type.wireName()).matches("[a-z][a-z_]*");
            assertThat(type.httpStatus()).isBetween(400, 599);
        }
        assertThat(ErrorType.fromWireName("quota_exhausted")).isEmpty();
    }

    @Test
    void todaysWireNamesKeepTheirStatusAndRetriability() {
        // records on the topics and in the database carry these pairs: they never change
        assertThat(Arrays.stream(ErrorType.values())
                        .map(type -> type.wireName() + " " + type.httpStatus() + " " + type.retriable()))
                .containsExactly(
                        "backend_unavailable 503 true",
                        "timeout 503 true",
                        "rate_limited 429 true",
                        "upstream_error 502 true",
                        "upstream_invalid_response 502 false",
                        "backend_auth_failed 502 false",
                        "unknown_backend 422 false",
                        "model_not_permitted 422 false",
                        "invalid_request 400 false",
                        "deadline_exceeded 504 false",
                        "cancelled 499 false");
    }

    @Test
    void operationsDocumentsEveryTypeWithItsStatusAndRetriability() throws IOException {
        String operations = Files.readString(DOCS.resolve("operations.md"));
        int start = operations.indexOf("\n## Error types\n");
        assertThat(start).as("docs/operations.md has a section Error types").isPositive();
        int end = operations.indexOf("\n## ", start + 1);
        Matcher row = Pattern.compile("(?m)^\\| `([a-z_]+)` \\| (\\d{3}) \\| (yes|no) \\|")
                .matcher(operations.substring(start, end));
        List<String> documented = row.results()
                .map(m -> m.group(1) + " " + m.group(2) + " " + m.group(3))
                .toList();

        assertThat(documented)
                .containsExactlyElementsOf(Arrays.stream(ErrorType.values())
                        .map(type ->
                                type.wireName() + " " + type.httpStatus() + " " + (type.retriable() ? "yes" : "no"))
                        .toList());
    }

    @Test
    void theOpenApiContractListsEveryType() throws IOException {
        String openapi = Files.readString(DOCS.resolve("openapi.yaml"));
        Matcher list = Pattern.compile("(?s)\\n    AskError:\\n.*?\\n          enum: \\[([^]]*)]")
                .matcher(openapi);
        assertThat(list.find()).as("docs/openapi.yaml lists AskError's types").isTrue();

        assertThat(List.of(list.group(1).split(",\\s*")))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(ErrorType.values())
                        .map(ErrorType::wireName)
                        .toList());
    }
}
