-- Usage events written in the transaction of the work they measure (common-lib UsageRecorder), until the relay has
-- delivered them to auth-service (UsageRelay deletes them then). See docs/common-lib.md, "Usage events".
CREATE TABLE usage_outbox (
    seq        bigserial   NOT NULL,
    id         uuid PRIMARY KEY,
    user_id    uuid        NOT NULL,
    at         timestamptz NOT NULL,
    kind       text        NOT NULL,
    subject    text        NOT NULL DEFAULT '',
    count      bigint      NOT NULL DEFAULT 0,
    tokens_in  bigint      NOT NULL DEFAULT 0,
    tokens_out bigint      NOT NULL DEFAULT 0,
    bytes      bigint      NOT NULL DEFAULT 0
);
CREATE INDEX usage_outbox_seq ON usage_outbox (seq);
