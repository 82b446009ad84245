-- Issue 22: a user's data out of every service (export) and out of every service for good (erasure), coordinated
-- from here by durable jobs (docs/privacy.md).

-- An account's erasure: requested by the user (requested_by null) or an admin. user_id stays after the user row is
-- gone (no text: the id alone), so that the report can still be read.
CREATE TABLE account_erasures (
    id           uuid PRIMARY KEY,
    user_id      uuid        NOT NULL,
    requested_by uuid,
    status       varchar(16) NOT NULL DEFAULT 'running', -- running | done
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE UNIQUE INDEX account_erasures_running_idx ON account_erasures (user_id) WHERE status = 'running';

-- Each service's part of an erasure, retried until the service confirms; auth-service's own part runs last.
CREATE TABLE account_erasure_services (
    erasure_id      uuid        NOT NULL REFERENCES account_erasures (id) ON DELETE CASCADE,
    service         varchar(64) NOT NULL,
    status          varchar(16) NOT NULL DEFAULT 'pending', -- pending | done
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_until   timestamptz,
    last_error      text,
    erased          jsonb,
    done_at         timestamptz,
    PRIMARY KEY (erasure_id, service)
);
CREATE INDEX account_erasure_services_due_idx ON account_erasure_services (next_attempt_at) WHERE status = 'pending';

-- An export: built by a job into a zip (one NDJSON file per service and kind), stored in chunks, downloaded once
-- ready; deleted after the retention (kind account-exports) and with its user.
CREATE TABLE account_exports (
    id            uuid PRIMARY KEY,
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    requested_by  uuid,
    status        varchar(16) NOT NULL DEFAULT 'pending', -- pending | running | ready | failed
    progress      real        NOT NULL DEFAULT 0,
    attempts      integer     NOT NULL DEFAULT 0,
    claimed_until timestamptz,
    error         text,
    size          bigint,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX account_exports_user_idx ON account_exports (user_id, created_at);

CREATE TABLE account_export_chunks (
    export_id uuid    NOT NULL REFERENCES account_exports (id) ON DELETE CASCADE,
    seq       integer NOT NULL,
    data      bytea   NOT NULL,
    PRIMARY KEY (export_id, seq)
);

-- Audit events stay append-only, but an account's erasure deletes the events about that account (its transaction
-- is marked agency.purge = 'account-erasure'); one event without personal data records the erasure itself.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('agency.purge', true) IN ('audit-events', 'account-erasure') THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
