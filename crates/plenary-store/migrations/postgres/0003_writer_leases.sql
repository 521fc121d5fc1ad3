-- One writer per meeting when several nodes share this database. The
-- writer holds the row until expires_at (the database's clock, so nodes'
-- clocks do not matter) and renews it; a takeover bumps the epoch. Every
-- commit of a writer reads its row FOR SHARE in the commit's transaction
-- and checks the epoch, so a takeover's UPDATE waits for a commit under
-- way, and a deposed writer can never commit after it.
CREATE TABLE writer_leases (
    meeting     TEXT        NOT NULL PRIMARY KEY,
    epoch       BIGINT      NOT NULL,
    holder      TEXT        NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
