-- Agents: owned by a user, or shared (published by an admin; owner_id null for the built-in default).
CREATE TABLE agents (
    id            uuid PRIMARY KEY,
    owner_id      uuid,
    shared        boolean      NOT NULL DEFAULT false,
    name          varchar(100) NOT NULL,
    description   text         NOT NULL DEFAULT '',
    capabilities  jsonb        NOT NULL DEFAULT '[]',
    system_prompt text         NOT NULL DEFAULT '',
    provider      varchar(32),
    model_name    varchar(200),
    temperature   double precision,
    tools         jsonb        NOT NULL DEFAULT '[]',
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX agents_owner_idx ON agents (owner_id);
CREATE INDEX agents_shared_idx ON agents (shared) WHERE shared;

INSERT INTO agents (id, owner_id, shared, name, description, capabilities, system_prompt, tools)
VALUES ('00000000-0000-0000-0000-000000000001', NULL, true, 'Assistant',
        'The default assistant: remembers what you tell it, recalls it, calculates and tells the time.',
        '["memory", "tools", "streaming"]',
        'You are a helpful assistant of the Agency Platform. Use the memories you are given about the user to personalise your answers, and use tools when they help. Be concise and honest.',
        '["add_memory", "search_memory", "calculator", "current_time"]');

CREATE TABLE conversations (
    seq        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id         uuid PRIMARY KEY,
    user_id    uuid        NOT NULL,
    agent_id   uuid        NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    title      varchar(200),
    summary    text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_user_idx ON conversations (user_id, seq DESC);

-- Every turn: the user's message, and the assistant's answer with its tool calls (and their results) and the
-- memories it used. status: complete | cancelled | failed.
CREATE TABLE messages (
    seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id              uuid PRIMARY KEY,
    conversation_id uuid        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         uuid        NOT NULL,
    role            varchar(16) NOT NULL,
    content         text        NOT NULL,
    tool_calls      jsonb       NOT NULL DEFAULT '[]',
    memories_used   jsonb       NOT NULL DEFAULT '[]',
    status          varchar(16) NOT NULL DEFAULT 'complete',
    provider        varchar(32),
    model           varchar(200),
    usage           jsonb,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, user_id, seq);
