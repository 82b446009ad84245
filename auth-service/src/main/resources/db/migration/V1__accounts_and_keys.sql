CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text        NOT NULL,
    email         text        NOT NULL,
    password_hash text        NOT NULL,
    roles         text[]      NOT NULL DEFAULT ARRAY['user'],
    profile_role  text,
    preferences   jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- ES256 signing keys; the private key is encrypted with AES-256-GCM under AGENCY_MASTER_KEY.
CREATE TABLE signing_keys (
    kid                 text PRIMARY KEY,
    public_key          bytea       NOT NULL,
    private_key_enc     bytea       NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    retired_at          timestamptz,
    expires_at          timestamptz
);

-- Opaque refresh tokens, stored as SHA-256 hashes; a family is one login's chain of rotations.
CREATE TABLE refresh_tokens (
    token_hash  text PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   uuid        NOT NULL,
    expires_at  timestamptz NOT NULL,
    spent_at    timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
