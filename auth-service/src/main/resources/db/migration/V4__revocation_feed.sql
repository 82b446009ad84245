-- Issue 17: revocation that takes effect at once everywhere, and WebSocket tickets no wider than their token.

-- Every access token carries its user's token version ("ver"); raising it (password change or reset, log out
-- everywhere, a role change, a disable) revokes every token issued before, at every service.
ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0;

-- The revocation feed every service reads (at start-up, after a reconnect, and on NOTIFY agency_revocations):
-- a user's new minimum token version, or a deleted API key. Rows older than a day are pruned (access tokens live
-- at most 15 minutes).
CREATE TABLE revocations (
    id           bigserial PRIMARY KEY,
    user_id      uuid        NOT NULL,
    min_version  integer     NOT NULL DEFAULT 0,
    api_key_id   uuid,
    reason       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revocations_created_idx ON revocations (created_at);

-- A ticket carries exactly what the token that paid for it carried.
ALTER TABLE ws_tickets
    ADD COLUMN roles text[],
    ADD COLUMN scopes text[],
    ADD COLUMN api_key_id uuid,
    ADD COLUMN token_version integer;

-- One-time password reset codes an admin hands over (no mail server needed); only the SHA-256 is stored.
CREATE TABLE password_resets (
    code_hash   text PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by  uuid,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);
