-- An incoming webhook of a workflow. Its signing secret (and, for a grace period after a rotation, the previous one)
-- and the API key its runs act with are sealed with the master key; the key is revoked when the webhook is deleted.
CREATE TABLE workflow_webhooks (
    seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id              uuid PRIMARY KEY,
    workflow_id     uuid        NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    user_id         uuid        NOT NULL,
    secret          bytea       NOT NULL,
    previous_secret bytea,
    previous_until  timestamptz,
    credential_id   uuid        NOT NULL,
    credential      bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workflow_webhooks_user_idx ON workflow_webhooks (user_id, seq DESC);

-- Each delivery id that started a run: a delivery seen again is answered with that run (the primary key makes a
-- second run impossible, also for concurrent duplicates). The run row is inserted in the same transaction.
CREATE TABLE webhook_deliveries (
    webhook_id  uuid         NOT NULL REFERENCES workflow_webhooks (id) ON DELETE CASCADE,
    delivery_id varchar(200) NOT NULL,
    run_id      uuid         NOT NULL REFERENCES runs (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (webhook_id, delivery_id)
);
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at);
CREATE INDEX webhook_deliveries_run_idx ON webhook_deliveries (run_id);
