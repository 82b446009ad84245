-- Workflow definitions: the steps are stored as given (validated at create time).
CREATE TABLE workflows (
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id          uuid PRIMARY KEY,
    owner_id    uuid         NOT NULL,
    name        varchar(200) NOT NULL,
    description text         NOT NULL DEFAULT '',
    steps       jsonb        NOT NULL,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX workflows_owner_idx ON workflows (owner_id, seq DESC);

-- Runs carry a snapshot of the steps they execute, the caller they act as (the token is cleared when the run ends),
-- the per-run event counter and the claim of the service instance that executes them.
CREATE TABLE runs (
    seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id            uuid PRIMARY KEY,
    workflow_id   uuid        NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    user_id       uuid        NOT NULL,
    status        varchar(24) NOT NULL,
    input         jsonb       NOT NULL DEFAULT '{}',
    steps         jsonb       NOT NULL,
    output        jsonb,
    error         jsonb,
    caller        jsonb       NOT NULL,
    event_seq     bigint      NOT NULL DEFAULT 0,
    claimed_by    varchar(80),
    claimed_until timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    completed_at  timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_user_idx ON runs (user_id, seq DESC);
CREATE INDEX runs_workflow_idx ON runs (workflow_id);
CREATE INDEX runs_active_idx ON runs (claimed_until) WHERE status IN ('queued', 'running', 'waiting_approval');

-- One row per step of a run. status: pending | running | waiting_approval | succeeded | failed | skipped | cancelled.
CREATE TABLE run_steps (
    run_id          uuid        NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step_id         varchar(64) NOT NULL,
    position        int         NOT NULL,
    type            varchar(16) NOT NULL,
    status          varchar(24) NOT NULL DEFAULT 'pending',
    attempts        int         NOT NULL DEFAULT 0,
    approved        boolean,
    approval        jsonb,
    next_attempt_at timestamptz,
    started_at      timestamptz,
    completed_at    timestamptz,
    output          jsonb,
    error           jsonb,
    PRIMARY KEY (run_id, step_id)
);

-- Every announced change of a run, in order: the replay log of GET /api/v1/runs/{id}/events.
CREATE TABLE run_events (
    run_id     uuid        NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq        bigint      NOT NULL,
    type       varchar(40) NOT NULL,
    data       jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, seq)
);

-- Agent channels: a user's channel with participant agents; messages persisted, delivery tracked per recipient.
CREATE TABLE channels (
    seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id           uuid PRIMARY KEY,
    owner_id     uuid         NOT NULL,
    name         varchar(200) NOT NULL,
    participants jsonb        NOT NULL,
    created_at   timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX channels_owner_idx ON channels (owner_id, seq DESC);

CREATE TABLE channel_messages (
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id          uuid PRIMARY KEY,
    channel_id  uuid        NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id     uuid        NOT NULL,
    sender_id   uuid        NOT NULL,
    type        varchar(64) NOT NULL,
    content     jsonb       NOT NULL,
    in_reply_to uuid,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX channel_messages_channel_idx ON channel_messages (channel_id, user_id, seq);

-- status: pending | delivered | failed | skipped (the recipient lacks the capability).
CREATE TABLE channel_deliveries (
    message_id   uuid        NOT NULL REFERENCES channel_messages (id) ON DELETE CASCADE,
    recipient_id uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    status       varchar(16) NOT NULL DEFAULT 'pending',
    attempts     int         NOT NULL DEFAULT 0,
    reply_id     uuid,
    error        jsonb,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, recipient_id)
);
CREATE INDEX channel_deliveries_pending_idx ON channel_deliveries (status) WHERE status IN ('pending', 'failed');
