-- Where the import of a file by `motcua import FILE` stands, so that an
-- interrupted import continues with --resume (docs/durability.md). One row
-- per kind and file fingerprint (its size and the SHA-256 of its first MiB;
-- path is only told back): offset_bytes and line are just after the last
-- committed batch, and imported, duplicates and error_lines are the import's
-- counts up to there. The row is written in the transaction of every batch,
-- so it never says more or less than what is stored. finished_at is set
-- when the whole file was read; a new import of the same file starts the
-- row again.
CREATE TABLE import_checkpoints (
    id           BIGSERIAL PRIMARY KEY,
    kind         VARCHAR(16) NOT NULL,
    size         BIGINT NOT NULL,
    head_sha256  VARCHAR(64) NOT NULL,
    path         VARCHAR(4096) NOT NULL,
    offset_bytes BIGINT NOT NULL DEFAULT 0,
    line         BIGINT NOT NULL DEFAULT 0,
    imported     BIGINT NOT NULL DEFAULT 0,
    duplicates   BIGINT NOT NULL DEFAULT 0,
    error_lines  BIGINT NOT NULL DEFAULT 0,
    started_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    UNIQUE (kind, size, head_sha256)
);
CREATE INDEX import_checkpoints_path_idx ON import_checkpoints(kind, path);
-- The bad lines an import listed (the first 1,000, as its answer does), so
-- that a resumed import answers the whole file's list.
CREATE TABLE import_checkpoint_errors (
    checkpoint_id BIGINT NOT NULL REFERENCES import_checkpoints(id) ON DELETE CASCADE,
    line          BIGINT NOT NULL,
    message       TEXT NOT NULL,
    PRIMARY KEY (checkpoint_id, line)
);
