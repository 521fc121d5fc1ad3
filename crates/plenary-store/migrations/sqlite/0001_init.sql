-- The plenary store, SQLite flavour. Times are milliseconds since the Unix
-- epoch (plenary_core::Timestamp); roles and events are JSON text written by
-- serde, so the store never needs to understand them.

-- A meeting exists once its first event is stored; every other table refers
-- to it so that nothing can be filed under a meeting that never happened.
CREATE TABLE meetings (
    id          TEXT    NOT NULL PRIMARY KEY,
    created_at  INTEGER NOT NULL
);

-- The event log: the truth from which every state is folded. WITHOUT ROWID
-- keeps each meeting's events clustered in seq order on disk and saves the
-- separate primary-key index a rowid table would need.
CREATE TABLE events (
    meeting  TEXT    NOT NULL REFERENCES meetings (id),
    seq      INTEGER NOT NULL CHECK (seq > 0),
    at       INTEGER NOT NULL,
    actor    TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    v        INTEGER NOT NULL,
    payload  TEXT    NOT NULL,
    PRIMARY KEY (meeting, seq)
) WITHOUT ROWID;

-- Folded states, a cache to shorten replays; the newest one per meeting is kept.
CREATE TABLE snapshots (
    meeting  TEXT    NOT NULL REFERENCES meetings (id),
    seq      INTEGER NOT NULL,
    state    TEXT    NOT NULL,
    PRIMARY KEY (meeting, seq)
);

-- The ack of every accepted command that carried an id, so that a retry
-- after a reconnect or a restart is answered instead of applied twice.
CREATE TABLE command_results (
    meeting     TEXT    NOT NULL REFERENCES meetings (id),
    command_id  TEXT    NOT NULL,
    first_seq   INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    PRIMARY KEY (meeting, command_id)
) WITHOUT ROWID;

-- Access codes, by the hex SHA-256 of the code: the code itself is never stored.
CREATE TABLE access_codes (
    id          TEXT    NOT NULL PRIMARY KEY,
    meeting     TEXT    NOT NULL REFERENCES meetings (id),
    role        TEXT    NOT NULL,
    label       TEXT    NOT NULL,
    hash        TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX access_codes_by_meeting ON access_codes (meeting, created_at);

-- When each room display last showed up, for the technician console.
CREATE TABLE screens (
    meeting    TEXT    NOT NULL REFERENCES meetings (id),
    screen     TEXT    NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (meeting, screen)
) WITHOUT ROWID;
