package io.askpipe.ingest.batch.input;

import io.askpipe.ingest.batch.store.Batch;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A validated input file read on from a checkpoint, a chunk of lines at a time, each chunk saying
 * the checkpoint after it: what a batch's expansion reads. Blank lines are passed over. Not
 * thread-safe.
 */
public final class InputChunks implements AutoCloseable {
    private final InputLines lines;
    private final InputLineParser parser;
    private long linesRead;
    private long bytesRead;

    private InputChunks(InputLines lines, InputLineParser parser, Batch.Checkpoint from) {
        this.lines = lines;
        this.parser = parser;
        this.linesRead = from.lines();
        this.bytesRead = from.bytes();
    }

    /**
     * A chunk of lines.
     *
     * @param lines the request lines (and lines that no longer validate), in file order
     * @param checkpointLines the lines of the file read once this chunk is done
     * @param checkpointBytes the bytes of the file read once this chunk is done
     */
    public record Chunk(List<ParsedLine> lines, long checkpointLines, long checkpointBytes) {
        public Chunk {
            lines = List.copyOf(lines);
        }
    }

    /** The lines of {@code in}, the whole input file, after {@code from}, judged by {@code parser}. */
    public static InputChunks open(InputStream in, Batch.Checkpoint from, InputLineParser parser) throws IOException {
        try {
            in.skipNBytes(from.bytes());
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        return new InputChunks(new InputLines(in, from.lines(), from.bytes(), parser.maxLineBytes()), parser, from);
    }

    /** The next up to {@code max} lines that are not blank; an empty chunk at the end of the file. */
    public Chunk next(int max) throws IOException {
        List<ParsedLine> chunk = new ArrayList<>();
        while (chunk.size() < max) {
            Optional<RawLine> raw = lines.next();
            if (raw.isEmpty()) {
                break;
            }
            ParsedLine parsed = parser.parse(raw.get());
            linesRead = parsed.number();
            bytesRead = parsed.end();
            if (!(parsed instanceof ParsedLine.Blank)) {
                chunk.add(parsed);
            }
        }
        return new Chunk(chunk, linesRead, bytesRead);
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
