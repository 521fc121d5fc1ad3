-- Commands sent to a node that is not the meeting's writer wait here for
-- the writer (woken by NOTIFY plenary_inbox), which decides them in id
-- order and writes each one's outcome (NOTIFY plenary_outcome). Actor,
-- command, floor seen and outcome are JSON written by the server.
CREATE TABLE command_inbox (
    id          BIGSERIAL   PRIMARY KEY,
    meeting     TEXT        NOT NULL,
    actor       TEXT        NOT NULL,
    command_id  TEXT        NOT NULL,
    command     TEXT        NOT NULL,
    seen        TEXT,
    outcome     TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    decided_at  TIMESTAMPTZ
);
CREATE INDEX command_inbox_open ON command_inbox (meeting, id) WHERE outcome IS NULL;
