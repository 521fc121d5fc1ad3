-- Readiness probes write and delete one row here: proof that a commit can
-- be made now, with room for a typical batch (the probe's payload needs
-- fresh pages, so a full disk or a size cap fails it like a real commit).
CREATE TABLE write_probe (
    id       INTEGER NOT NULL PRIMARY KEY,
    payload  BLOB    NOT NULL
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
