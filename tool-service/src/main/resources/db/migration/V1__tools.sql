-- The tool registry: built-ins are upserted at start; HTTP (and later MCP) tools are registered by admins.
CREATE TABLE tools (
    name            text PRIMARY KEY,
    description     text        NOT NULL,
    parameters      jsonb       NOT NULL,
    source          text        NOT NULL CHECK (source IN ('builtin', 'http', 'mcp')),
    enabled         boolean     NOT NULL DEFAULT true,
    write_access    boolean     NOT NULL DEFAULT false,
    timeout_ms      integer     NOT NULL,
    endpoint        text,
    method          text,
    sealed_headers  bytea,       -- AES-GCM under AGENCY_MASTER_KEY: JSON object of header name -> value
    sealed_secret   bytea,       -- AES-GCM under AGENCY_MASTER_KEY: the HMAC signing secret
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- One row per execution; parameters are stored redacted.
CREATE TABLE executions (
    id                uuid PRIMARY KEY,
    user_id           uuid        NOT NULL,
    tool              text        NOT NULL,
    outcome           text        NOT NULL,
    error_type        text,
    duration_ms       bigint      NOT NULL,
    parameters        jsonb       NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX executions_user_created ON executions (user_id, created_at DESC, id DESC);
CREATE INDEX executions_tool_created ON executions (tool, created_at DESC);
