-- Facts that change (docs/memory.md, "Facts that change"): a memory holds from `valid_from` (given by the caller,
-- else metadata.date, else when it was learned) until `invalid_at` (null while it holds); a memory closed by a newer
-- one keeps its text and names it in `superseded_by`. Existing memories hold since they were learned.
ALTER TABLE memories
    ADD COLUMN valid_from    timestamptz,
    ADD COLUMN invalid_at    timestamptz,
    ADD COLUMN superseded_by uuid;
UPDATE memories SET valid_from = created_at;
ALTER TABLE memories
    ALTER COLUMN valid_from SET DEFAULT now(),
    ALTER COLUMN valid_from SET NOT NULL;

-- The same text may be stored again once its memory was closed ("I live in Lisbon" after a year in Berlin): the
-- dedup key covers the memories that still hold only. ON CONFLICT DO NOTHING (no target) honours partial indexes.
DROP INDEX memories_scope_hash_key;
CREATE UNIQUE INDEX memories_scope_hash_key
    ON memories (user_id, coalesce(agent_id, ''), coalesce(session_id, ''), content_hash)
    WHERE invalid_at IS NULL;

-- A SUPERSEDE event names the memory that closed this one (the chain); no copy of that memory's text is kept here,
-- so deleting it leaves none behind.
ALTER TABLE memory_history ADD COLUMN superseded_by uuid;
