-- Issue 22: sign-in with OpenID Connect providers (and GitHub's OAuth2).

-- An account created by a provider sign-in has no password until its owner sets one.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;

-- The provider accounts linked to a platform account: (provider id, subject) belongs to one account.
CREATE TABLE user_identities (
    id         uuid PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider   text        NOT NULL,
    subject    text        NOT NULL,
    email      text,
    linked_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, subject)
);
CREATE INDEX user_identities_user_idx ON user_identities (user_id, linked_at);

-- Authorization requests sent to a provider and not answered yet, kept here so that any replica can take the
-- callback. Keyed by the SHA-256 of the state; single use (deleted when the callback takes it); 10 minutes.
-- link_user_id: the flow was started by a signed-in user to link a provider account to theirs.
-- browser_hash: SHA-256 of the flow cookie of the browser that started it; the callback must come from that browser
-- (no login CSRF, no linking someone else's provider account to an attacker's account).
CREATE TABLE oidc_pending_authorizations (
    state_hash     text PRIMARY KEY,
    browser_hash   text        NOT NULL,
    provider       text        NOT NULL,
    nonce          text        NOT NULL,
    code_verifier  text        NOT NULL,
    redirect_path  text        NOT NULL,
    link_user_id   uuid REFERENCES users (id) ON DELETE CASCADE,
    expires_at     timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oidc_pending_authorizations_expires_idx ON oidc_pending_authorizations (expires_at);

-- One-time codes handed to the console in the callback's redirect (60 s), exchanged once for a token pair, and
-- re-authentication tokens (5 minutes, single use) of password-less accounts. Only SHA-256 hashes are stored.
CREATE TABLE oidc_login_codes (
    code_hash   text PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider    text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oidc_login_codes_expires_idx ON oidc_login_codes (expires_at);

CREATE TABLE reauth_tokens (
    token_hash  text PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reauth_tokens_user_idx ON reauth_tokens (user_id);
CREATE INDEX reauth_tokens_expires_idx ON reauth_tokens (expires_at);
