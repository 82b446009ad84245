-- Issue 3: TOTP multi-factor authentication (RFC 6238), opt-in per user.

-- One TOTP secret per user. The secret is sealed with AES-256-GCM under the master key (IV + ciphertext).
-- confirmed_at IS NULL: enrolment started but not confirmed with a code yet (login does not ask for a code).
-- last_used_step: the time step (unix seconds / 30) of the last accepted code; a code of that step or an
-- earlier one is refused, so a code cannot be replayed within its window.
CREATE TABLE mfa_totp (
    user_id         uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_enc      bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    confirmed_at    timestamptz,
    last_used_step  bigint
);

-- One-time recovery codes, stored only as SHA-256 of (user id, code); a code has 80 random bits.
CREATE TABLE mfa_recovery_codes (
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash   text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
