package io.askpipe.ingest.batch.input;

import io.askpipe.ingest.batch.store.BatchError;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a batch's whole input file once, as a stream, and judges every line ({@link
 * InputLineParser}): each {@code custom_id} unique, at most {@code BATCH_MAX_LINES} requests, at
 * least one. What it keeps is the count and the {@code custom_id}s seen, never the lines. Its
 * verdict names every bad line, up to {@value #MAX_ERRORS} of them. Thread-safe.
 */
public final class InputValidator {
    /** The most errors a verdict names; the count of bad lines goes on past it. */
    public static final int MAX_ERRORS = 1000;

    private final long maxRequests;

    /** A validator of files of at most {@code maxRequests} requests. */
    public InputValidator(long maxRequests) {
        this.maxRequests = maxRequests;
    }

    /**
     * What the file read from {@code in} holds, by {@code parser}'s judgement.
     *
     * @param requests the valid request lines
     * @param bytes the file's size: where the last line ends
     * @param badLines the lines in error, counted beyond the errors named
     * @param errors the first {@value #MAX_ERRORS} errors, in line order; empty when the file is valid
     */
    public record Verdict(long requests, long bytes, long badLines, List<BatchError> errors) {
        public Verdict {
            errors = List.copyOf(errors);
        }

        /** Whether the batch may go on: no error. */
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    /** Reads all of {@code in} (closing it) and judges its lines with {@code parser}. */
    public Verdict validate(InputStream in, InputLineParser parser) throws IOException {
        List<BatchError> errors = new ArrayList<>();
        Set<String> customIds = new HashSet<>();
        long requests = 0;
        long bad = 0;
        long bytes = 0;
        boolean tooMany = false;
        try (InputLines lines = new InputLines(in, 0, 0, parser.maxLineBytes())) {
            for (Optional<RawLine> next = lines.next(); next.isPresent(); next = lines.next()) {
                RawLine raw = next.get();
                bytes = raw.end();
                ParsedLine parsed = parser.parse(raw);
                Optional<BatchError> error = switch (parsed) {
                    case ParsedLine.Blank blank -> Optional.empty();
                    case ParsedLine.Bad line -> {
                        line.customId().ifPresent(customIds::add);
                        yield Optional.of(line.error());
                    }
                    case ParsedLine.Request request ->
                        customIds.add(request.customId())
                                ? Optional.empty()
                                : Optional.of(error(
                                        LineCode.DUPLICATE_CUSTOM_ID,
                                        raw.number(),
                                        "/custom_id",
                                        "The custom_id " + request.customId()
                                                + " is a duplicate of an earlier line's; each must be unique."));
                };
                if (!(parsed instanceof ParsedLine.Blank)) {
                    requests++;
                }
                if (error.isPresent()) {
                    bad++;
                    add(errors, error.get());
                }
                if (requests > maxRequests && !tooMany) {
                    tooMany = true;
                    add(
                            errors,
                            error(
                                    LineCode.TOO_MANY_TASKS,
                                    raw.number(),
                                    null,
                                    "The file holds more than " + maxRequests + " requests (BATCH_MAX_LINES)."));
                }
            }
        }
        if (requests == 0) {
            errors.add(new BatchError(
                    LineCode.EMPTY_FILE.code(),
                    Optional.empty(),
                    "The input file holds no request.",
                    Optional.empty()));
        }
        return new Verdict(errors.isEmpty() ? requests : 0, bytes, bad, errors);
    }

    private static void add(List<BatchError> errors, BatchError error) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(error);
        }
    }

    private static BatchError error(LineCode code, long line, String param, String message) {
        return new BatchError(code.code(), Optional.of(line), message, Optional.ofNullable(param));
    }
}
