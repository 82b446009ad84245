-- Executions under an Idempotency-Key header: the first call with a (user, key) runs the tool and stores its result
-- here; a repeat within the key's lifetime gets the stored result instead of running the tool again.
CREATE TABLE idempotency_keys (
    user_id       uuid        NOT NULL,
    key           text        NOT NULL,
    tool          text        NOT NULL,
    fingerprint   text        NOT NULL,  -- SHA-256 of the tool name and the canonical parameters
    locked_until  timestamptz,           -- while the first call runs: how long it holds the key
    result        bytea,                 -- the result envelope (JSON) sealed under AGENCY_MASTER_KEY, once finished
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
