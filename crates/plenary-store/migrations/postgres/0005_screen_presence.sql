-- Which room screens each node has connected, so that a console on any
-- node sees every screen: each node rewrites its own rows every half
-- second; rows not refreshed for a few seconds belong to a node that died
-- and are ignored.
CREATE TABLE screen_presence (
    meeting      TEXT             NOT NULL,
    screen       TEXT             NOT NULL,
    node         TEXT             NOT NULL,
    connections  INTEGER          NOT NULL,
    rtt_ms       DOUBLE PRECISION,
    offset_ms    DOUBLE PRECISION,
    last_seen    BIGINT,
    updated_at   TIMESTAMPTZ      NOT NULL,
    PRIMARY KEY (meeting, screen, node)
);
