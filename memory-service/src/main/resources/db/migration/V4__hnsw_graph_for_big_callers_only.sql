-- The HNSW graph serves only callers with more than agency.memory.search.exact-scan-max-rows live memories (20,000
-- by default): everyone else is searched by an exact scan of their own rows, which is faster and exact. Yet every
-- insert paid the graph insert (~1.7 ms of PostgreSQL CPU per memory, ~90 % of an insert's database work, measured
-- at 100k rows). Now a memory joins the graph only when its owner is a big caller: `in_graph` is set on insert when
-- the owner already has memories in the graph (or the threshold is 0), and a scheduled job (GraphPromotion) moves
-- the memories of a caller who crosses the threshold into it. Search uses the graph for a big caller only once all
-- their live memories are in it, and the exact scan until then.
ALTER TABLE memories ADD COLUMN in_graph boolean NOT NULL DEFAULT false;

DROP INDEX memories_embedding_idx;
CREATE INDEX memories_embedding_idx ON memories USING hnsw (embedding vector_cosine_ops) WHERE in_graph;

-- Is this caller in the graph? (checked on every insert; holds only big callers' rows)
CREATE INDEX memories_in_graph_user_idx ON memories (user_id) WHERE in_graph;

-- The per-caller statistics now also count the live memories outside the graph; still one index-only scan.
DROP INDEX memories_user_doc_len_idx;
CREATE INDEX memories_user_doc_len_idx ON memories (user_id) INCLUDE (doc_len, expires_at, in_graph);
