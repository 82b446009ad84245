-- BM25 needs each memory's length in tokens (the sum of its lexemes' positions) and the caller's average length.
-- Computing them from the tsvector at query time unnests every one of the caller's memories per search (~15 ms at
-- 1,000 memories a user); stored here once per row. NULL for a text without lexemes (only stop words), as the
-- query-time sum was, so averages are unchanged.
CREATE FUNCTION tsvector_token_count(tsvector) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT sum(coalesce(array_length(positions, 1), 1))::integer FROM unnest($1) $$;

ALTER TABLE memories
    ADD COLUMN doc_len integer GENERATED ALWAYS AS (tsvector_token_count(to_tsvector('english', content))) STORED;

-- The per-user statistics (count and average length of the live memories) come from this index alone.
CREATE INDEX memories_user_doc_len_idx ON memories (user_id) INCLUDE (doc_len, expires_at);
