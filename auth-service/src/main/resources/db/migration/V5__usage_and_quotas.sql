-- Usage per user and per day, relayed by the services that do the work (see docs/auth.md, "Usage and quotas").

-- Every event id counted, so that a batch sent again (a relay that crashed before deleting it, two replicas) counts
-- once. Pruned after 30 days: a relay delivers within seconds of the work, or of its service coming back.
CREATE TABLE usage_events (
    event_id    uuid PRIMARY KEY,
    user_id     uuid        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX usage_events_received_at ON usage_events (received_at);

-- The counters: one row per user, UTC day, kind and subject (provider/model, tool, modality, or '').
CREATE TABLE usage_daily (
    user_id    uuid   NOT NULL,
    day        date   NOT NULL,
    kind       text   NOT NULL,
    subject    text   NOT NULL,
    count      bigint NOT NULL DEFAULT 0,
    tokens_in  bigint NOT NULL DEFAULT 0,
    tokens_out bigint NOT NULL DEFAULT 0,
    bytes      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day, kind, subject)
);

-- Tool calls per user and UTC minute, for the tool_calls_per_minute quota's "used"; kept for an hour.
CREATE TABLE usage_minutes (
    user_id uuid        NOT NULL,
    minute  timestamptz NOT NULL,
    calls   bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, minute)
);

-- An admin's per-user quota limits, over the role's defaults; a null limit means unlimited.
CREATE TABLE quota_overrides (
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text        NOT NULL,
    quota_limit bigint,
    set_by      uuid        NOT NULL,
    set_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, name)
);
