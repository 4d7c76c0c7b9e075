package io.askpipe.ingest.files;

import java.util.List;

/**
 * One page of a user's files, as {@code GET /v1/files} lists them.
 *
 * @param files the files of the page, in the order asked for
 * @param hasMore whether more files follow the last of them
 */
public record FilePage(List<StoredFile> files, boolean hasMore) {
    public FilePage {
        files = List.copyOf(files);
    }
}
