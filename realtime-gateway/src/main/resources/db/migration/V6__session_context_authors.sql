-- Issue 22: who wrote each top-level key of a session's shared context (key -> user id of its last writer), so that
-- erasing an account removes what the user contributed to other people's sessions (SessionAccountData) and the
-- export gives them their entries. Keys written before this migration have no author: an erasure leaves them.
ALTER TABLE collab_sessions ADD COLUMN context_authors jsonb NOT NULL DEFAULT '{}'::jsonb;
