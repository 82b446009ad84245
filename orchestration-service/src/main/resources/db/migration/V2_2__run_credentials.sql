-- A run's service credential: an API key that auth-service issued to the user who started the run, for this run only
-- (sealed with the master key). The run exchanges it for a fresh access token when the user's token has expired;
-- once the run has ended the key is revoked and both columns are cleared.
ALTER TABLE runs ADD COLUMN credential_id uuid;
ALTER TABLE runs ADD COLUMN credential bytea;
CREATE INDEX runs_credential_idx ON runs (seq) WHERE credential_id IS NOT NULL;
