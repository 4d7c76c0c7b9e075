-- Users' files (OpenAI's Files API, for batches): one row per file, its content in chunks of
-- 1 MiB. A file is written chunk by chunk and becomes visible when finished_at is set; one never
-- finished (its writer gave up or died) is purged an hour after it was started. A deleted file
-- (deleted_at) or an expired one (expires_at) is no longer served, and the housekeeping purges
-- its chunks and then its row in bounded statements.
CREATE TABLE files (
    id          varchar(40)  NOT NULL,
    user_id     varchar(128) NOT NULL,
    purpose     varchar(32)  NOT NULL,
    filename    text         NOT NULL,
    bytes       bigint       NOT NULL,
    lines       bigint       NOT NULL,
    created_at  timestamp with time zone NOT NULL,
    expires_at  timestamp with time zone,
    finished_at timestamp with time zone,
    deleted_at  timestamp with time zone,
    CONSTRAINT files_pk PRIMARY KEY (id)
);

-- GET /v1/files: a user's files in id order (ids are UUIDv7, so creation order)
CREATE INDEX files_user_idx ON files (user_id, id);
-- the purge: expired, deleted and abandoned files
CREATE INDEX files_expires_idx ON files (expires_at);
CREATE INDEX files_deleted_idx ON files (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX files_unfinished_idx ON files (created_at) WHERE finished_at IS NULL;

CREATE TABLE file_chunks (
    file_id varchar(40) NOT NULL,
    seq     integer     NOT NULL,
    data    bytea       NOT NULL,
    CONSTRAINT file_chunks_pk PRIMARY KEY (file_id, seq),
    CONSTRAINT file_chunks_file_fk FOREIGN KEY (file_id) REFERENCES files (id) ON DELETE CASCADE
);
