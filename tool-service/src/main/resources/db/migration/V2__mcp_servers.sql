-- External MCP servers registered by admins; their tools are imported into tools with source 'mcp'.
CREATE TABLE mcp_servers (
    name            text PRIMARY KEY,
    url             text        NOT NULL,
    sealed_headers  bytea,       -- AES-GCM under AGENCY_MASTER_KEY: JSON object of header name -> value
    timeout_ms      integer     NOT NULL,
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    refreshed_at    timestamptz,
    last_error      text
);

-- An imported tool names its server and the tool's name on that server; deleting the server deletes its tools.
ALTER TABLE tools ADD COLUMN mcp_server text REFERENCES mcp_servers (name) ON DELETE CASCADE;
ALTER TABLE tools ADD COLUMN remote_name text;
CREATE INDEX tools_mcp_server ON tools (mcp_server) WHERE mcp_server IS NOT NULL;
