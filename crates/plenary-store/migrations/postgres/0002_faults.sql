-- Readiness probes write and delete one row here: proof that a commit can
-- be made now.
CREATE TABLE write_probe (
    id       BIGINT NOT NULL PRIMARY KEY,
    payload  BYTEA  NOT NULL
);

-- Revocations are polled by every running server so that a code revoked by
-- another process (the CLI, another node) ends its open sessions.
CREATE INDEX access_codes_by_revocation ON access_codes (revoked_at)
    WHERE revoked_at IS NOT NULL;

-- Server-wide secrets, created once (e.g. the key that signs session
-- tokens, so that a token outlives a restart and works on any node).
CREATE TABLE secrets (
    name   TEXT NOT NULL PRIMARY KEY,
    value  TEXT NOT NULL
);
