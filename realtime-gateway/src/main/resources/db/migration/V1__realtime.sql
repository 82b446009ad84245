-- Frames sent on /ws, kept for resume (purged after agency.gateway.realtime.replay-ttl).
CREATE TABLE ws_frames (
    connection_id uuid        NOT NULL,
    seq           bigint      NOT NULL,
    user_id       uuid        NOT NULL,
    payload       text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, seq)
);
CREATE INDEX ws_frames_created_at ON ws_frames (created_at);

-- Collaboration sessions.
CREATE TABLE collab_sessions (
    id         uuid PRIMARY KEY,
    purpose    text        NOT NULL,
    created_by uuid        NOT NULL,
    context    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE collab_participants (
    session_id uuid        NOT NULL REFERENCES collab_sessions (id) ON DELETE CASCADE,
    user_id    uuid        NOT NULL,
    joined_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX collab_participants_user ON collab_participants (user_id);

-- Events too big for a NOTIFY payload: the notification carries the row id.
CREATE TABLE realtime_events (
    id         bigserial PRIMARY KEY,
    payload    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX realtime_events_created_at ON realtime_events (created_at);
