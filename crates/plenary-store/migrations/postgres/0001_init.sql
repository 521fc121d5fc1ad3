-- The plenary store, PostgreSQL flavour; the same tables as the SQLite one.
-- Times are milliseconds since the Unix epoch (plenary_core::Timestamp);
-- roles and events are JSON text written by serde and returned verbatim.

-- A meeting exists once its first event is stored; every other table refers
-- to it so that nothing can be filed under a meeting that never happened.
CREATE TABLE meetings (
    id          TEXT   NOT NULL PRIMARY KEY,
    created_at  BIGINT NOT NULL
);

-- The event log: the truth from which every state is folded.
CREATE TABLE events (
    meeting  TEXT    NOT NULL REFERENCES meetings (id),
    seq      BIGINT  NOT NULL CHECK (seq > 0),
    at       BIGINT  NOT NULL,
    actor    TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    v        INTEGER NOT NULL,
    payload  TEXT    NOT NULL,
    PRIMARY KEY (meeting, seq)
);

-- Folded states, a cache to shorten replays; the newest one per meeting is kept.
CREATE TABLE snapshots (
    meeting  TEXT   NOT NULL REFERENCES meetings (id),
    seq      BIGINT NOT NULL,
    state    TEXT   NOT NULL,
    PRIMARY KEY (meeting, seq)
);

-- The ack of every accepted command that carried an id, so that a retry
-- after a reconnect or a restart is answered instead of applied twice.
CREATE TABLE command_results (
    meeting     TEXT   NOT NULL REFERENCES meetings (id),
    command_id  TEXT   NOT NULL,
    first_seq   BIGINT NOT NULL,
    last_seq    BIGINT NOT NULL,
    PRIMARY KEY (meeting, command_id)
);

-- Access codes, by the hex SHA-256 of the code: the code itself is never stored.
CREATE TABLE access_codes (
    id          TEXT   NOT NULL PRIMARY KEY,
    meeting     TEXT   NOT NULL REFERENCES meetings (id),
    role        TEXT   NOT NULL,
    label       TEXT   NOT NULL,
    hash        TEXT   NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX access_codes_by_meeting ON access_codes (meeting, created_at);

-- When each room display last showed up, for the technician console.
CREATE TABLE screens (
    meeting    TEXT   NOT NULL REFERENCES meetings (id),
    screen     TEXT   NOT NULL,
    last_seen  BIGINT NOT NULL,
    PRIMARY KEY (meeting, screen)
);
