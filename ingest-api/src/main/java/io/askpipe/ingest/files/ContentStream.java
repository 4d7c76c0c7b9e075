package io.askpipe.ingest.files;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a stored file as a response body, chunk by chunk from a thread of its own: the next chunk
 * is written only once the socket took the one before, so a slow reader holds the sender back
 * instead of filling the server's memory (at most a chunk being read and one being written).
 * A reader that takes nothing for {@value #STALL_MINUTES} minutes, or a storage failure midway,
 * resets the connection: the client sees the body cut short of its {@code Content-Length}.
 */
final class ContentStream {
    private static final Logger LOG = LoggerFactory.getLogger(ContentStream.class);
    private static final long STALL_MINUTES = 5;
    /** The most a write hands the socket at once: a chunk as stored. */
    private static final int PIECE = Chunks.BYTES;

    private final HttpServerResponse response;
    private final Context context;

    /** A sender on {@code response}, whose writes run on {@code context}, the request's. */
    ContentStream(HttpServerResponse response, Context context) {
        this.response = response;
        this.context = context;
    }

    /** Starts the response for {@code file}: 200, its type and length. */
    private Future<Void> begin(StoredFile file) {
        response.setStatusCode(200)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(file.bytes()));
        return Future.succeededFuture();
    }

    /** Sends {@code file}, all of {@code content}, and ends the response; blocks, so call it off the event loop. */
    void send(StoredFile file, InputStream content) {
        try (content) {
            CompletableFuture<Void> previous = onContext(() -> begin(file));
            for (byte[] piece = content.readNBytes(PIECE); piece.length > 0; piece = content.readNBytes(PIECE)) {
                awaitWritten(previous);
                Buffer buffer = Buffer.buffer(piece);
                previous = onContext(() -> response.write(buffer));
            }
            awaitWritten(previous);
            awaitWritten(onContext(response::end));
        } catch (IOException | ExecutionException | TimeoutException e) {
            LOG.warn("content of file {} not sent whole: {}", file.id(), e.toString());
            context.runOnContext(v -> response.reset());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            context.runOnContext(v -> response.reset());
        }
    }

    /** Runs {@code write} on the request's context; the future completes as its result does. */
    private CompletableFuture<Void> onContext(Supplier<Future<Void>> write) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                write.get().onComplete(result -> {
                    if (result.succeeded()) {
                        written.complete(null);
                    } else {
                        written.completeExceptionally(result.cause());
                    }
                });
            } catch (RuntimeException e) {
                written.completeExceptionally(e);
            }
        });
        return written;
    }

    private static void awaitWritten(CompletableFuture<Void> write)
            throws ExecutionException, InterruptedException, TimeoutException {
        write.get(STALL_MINUTES, TimeUnit.MINUTES);
    }
}
