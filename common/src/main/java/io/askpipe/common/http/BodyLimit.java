package io.askpipe.common.http;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Optional;

/**
 * A route's body handler whose {@code 413} problem states the limit in bytes: Vert.x's own, with
 * its limit left on the request for {@link Problems} to name, whether the body announced its length
 * or was cut off as it streamed in. A {@link BodyHandler} itself, so that Vert.x orders it before
 * the authentication handler as it does any body handler. Configure it before it serves requests.
 */
public final class BodyLimit implements BodyHandler {
    private static final String LIMIT_KEY = "askpipe.bodyLimit";

    private final BodyHandler body;
    private long limit;

    private BodyLimit(BodyHandler body, long limit) {
        this.body = body.setBodyLimit(limit);
        this.limit = limit;
    }

    /** Reads a body of at most {@code maxBytes} (no file uploads); a larger one is a {@code 413}. */
    public static BodyLimit of(long maxBytes) {
        return new BodyLimit(BodyHandler.create(false), maxBytes);
    }

    /** The limit a {@link BodyLimit} put on {@code ctx}, if one handled its request. */
    static Optional<Long> limitOf(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(LIMIT_KEY));
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.put(LIMIT_KEY, limit);
        body.handle(ctx);
    }

    @Override
    public BodyLimit setBodyLimit(long bodyLimit) {
        body.setBodyLimit(bodyLimit);
        this.limit = bodyLimit;
        return this;
    }

    @Override
    public BodyLimit setHandleFileUploads(boolean handleFileUploads) {
        body.setHandleFileUploads(handleFileUploads);
        return this;
    }

    @Override
    public BodyLimit setUploadsDirectory(String uploadsDirectory) {
        body.setUploadsDirectory(uploadsDirectory);
        return this;
    }

    @Override
    public BodyLimit setMergeFormAttributes(boolean mergeFormAttributes) {
        body.setMergeFormAttributes(mergeFormAttributes);
        return this;
    }

    @Override
    public BodyLimit setDeleteUploadedFilesOnEnd(boolean deleteUploadedFilesOnEnd) {
        body.setDeleteUploadedFilesOnEnd(deleteUploadedFilesOnEnd);
        return this;
    }

    @Override
    public BodyLimit setPreallocateBodyBuffer(boolean preallocateBodyBuffer) {
        body.setPreallocateBodyBuffer(preallocateBodyBuffer);
        return this;
    }
}
