-- The embedding model and dimension the stored vectors were made with; a service started with another
-- dimension refuses to run instead of mixing vectors.
CREATE TABLE embedding_config (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    model       text        NOT NULL,
    dimensions  int         NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memories (
    id           uuid PRIMARY KEY,
    user_id      uuid        NOT NULL,
    agent_id     text,
    session_id   text,
    content      text        NOT NULL,
    content_hash text        NOT NULL,
    embedding    vector(${dimensions}) NOT NULL,
    tsv          tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
    tags         text[]      NOT NULL DEFAULT '{}',
    importance   real        NOT NULL DEFAULT 0.5 CHECK (importance >= 0 AND importance <= 1),
    metadata     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz
);
CREATE INDEX memories_user_idx ON memories (user_id, created_at DESC);
CREATE INDEX memories_user_agent_idx ON memories (user_id, agent_id);
CREATE INDEX memories_user_session_idx ON memories (user_id, session_id);
CREATE UNIQUE INDEX memories_scope_hash_key
    ON memories (user_id, coalesce(agent_id, ''), coalesce(session_id, ''), content_hash);
CREATE INDEX memories_embedding_idx ON memories USING hnsw (embedding vector_cosine_ops);
CREATE INDEX memories_tsv_idx ON memories USING gin (tsv);
CREATE INDEX memories_tags_idx ON memories USING gin (tags);
CREATE INDEX memories_metadata_idx ON memories USING gin (metadata jsonb_path_ops);
CREATE INDEX memories_expires_idx ON memories (expires_at) WHERE expires_at IS NOT NULL;

-- Every change to a memory, so nothing is ever lost.
CREATE TABLE memory_history (
    id          bigserial PRIMARY KEY,
    memory_id   uuid        NOT NULL,
    user_id     uuid        NOT NULL,
    event       text        NOT NULL,
    old_memory  text,
    new_memory  text,
    actor       uuid,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX memory_history_memory_idx ON memory_history (memory_id, at);
CREATE INDEX memory_history_user_idx ON memory_history (user_id);
