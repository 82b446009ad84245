-- Feature flags (docs/operations.md "Feature flags"): changed by admins through /api/v1/admin/flags, read by every
-- service's OpenFeature provider (common-lib) from GET /internal/flags. The rules are common-lib's FlagRule: off
-- unless enabled; when enabled, on for users with one of the roles and for `percentage` % of the others (a stable
-- hash of key and user id).
CREATE TABLE feature_flags (
    key         text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9._-]{0,63}$'),
    enabled     boolean NOT NULL,
    percentage  integer NOT NULL CHECK (percentage BETWEEN 0 AND 100),
    roles       text[] NOT NULL DEFAULT '{}',
    description text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  uuid
);
