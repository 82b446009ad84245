-- Issue 3: disabled accounts, login throttling, API keys, WebSocket tickets, audit log.

ALTER TABLE users ADD COLUMN disabled_at timestamptz;
CREATE INDEX users_created_idx ON users (created_at, id);

-- Failed-login counters, one row per throttled key ('user:<lower username>' or 'addr:<client address>').
-- Kept in the database so that every replica sees the same counts and locks.
CREATE TABLE login_failures (
    throttle_key  text PRIMARY KEY,
    failures      integer     NOT NULL,
    window_start  timestamptz NOT NULL,
    locked_until  timestamptz
);

-- API keys for server-to-server clients; only the SHA-256 of the key is stored.
CREATE TABLE api_keys (
    id            uuid PRIMARY KEY,
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text        NOT NULL,
    key_hash      text        NOT NULL UNIQUE,
    prefix        text        NOT NULL,
    scopes        text[]      NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at);

-- Single-use WebSocket handshake tickets; only the SHA-256 of the ticket is stored.
CREATE TABLE ws_tickets (
    ticket_hash  text PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ws_tickets_expires_idx ON ws_tickets (expires_at);

-- Append-only security events. No foreign key: events outlive the accounts they mention.
CREATE TABLE audit_events (
    id        bigserial PRIMARY KEY,
    type      text        NOT NULL,
    user_id   uuid,
    actor_id  uuid,
    at        timestamptz NOT NULL DEFAULT now(),
    details   jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, id);
CREATE INDEX audit_events_type_idx ON audit_events (type, id);
CREATE INDEX audit_events_at_idx ON audit_events (at);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
