-- Agents as products: every change of an agent's content is an immutable, numbered version (agents.version is the
-- current one); assistant messages record the version that produced them; users rate assistant messages; A/B
-- experiments split an agent's traffic between versions.
ALTER TABLE agents ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE TABLE agent_versions (
    agent_id      uuid         NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    version       integer      NOT NULL,
    name          varchar(100) NOT NULL,
    description   text         NOT NULL,
    capabilities  jsonb        NOT NULL,
    system_prompt text         NOT NULL,
    provider      varchar(32),
    model_name    varchar(200),
    temperature   double precision,
    tools         jsonb        NOT NULL,
    created_by    uuid,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (agent_id, version)
);

-- every existing agent's content is its version 1 (the built-in default's author is the platform: null)
INSERT INTO agent_versions (agent_id, version, name, description, capabilities, system_prompt, provider, model_name,
                            temperature, tools, created_by, created_at)
SELECT id, 1, name, description, capabilities, system_prompt, provider, model_name, temperature, tools, owner_id,
       updated_at
FROM agents;

ALTER TABLE messages ADD COLUMN agent_version integer;

-- one rating per assistant message; a new one replaces it
CREATE TABLE message_feedback (
    message_id uuid        PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    user_id    uuid        NOT NULL,
    rating     varchar(8)  NOT NULL CHECK (rating IN ('up', 'down')),
    comment    text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX message_feedback_user_idx ON message_feedback (user_id);

-- A/B experiments between versions of an agent: variants [{version, weight}]; status running | paused | ended (by
-- promoting a winner). At most one experiment per agent is not ended.
CREATE TABLE experiments (
    id         uuid PRIMARY KEY,
    agent_id   uuid         NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    owner_id   uuid         NOT NULL,
    name       varchar(100) NOT NULL,
    status     varchar(16)  NOT NULL,
    variants   jsonb        NOT NULL,
    winner     integer,
    created_at timestamptz  NOT NULL DEFAULT now(),
    updated_at timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX experiments_one_open_idx ON experiments (agent_id) WHERE status <> 'ended';
CREATE INDEX experiments_owner_idx ON experiments (owner_id);

-- sticky assignment: a user's variant, chosen once (weighted, from a hash of experiment and user) and kept
CREATE TABLE experiment_assignments (
    experiment_id uuid        NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    user_id       uuid        NOT NULL,
    version       integer     NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (experiment_id, user_id)
);

-- the experiment a turn ran in (its variant is the message's agent_version); latencies, tokens and tool errors are
-- in the message's usage
ALTER TABLE messages ADD COLUMN experiment_id uuid;
CREATE INDEX messages_experiment_idx ON messages (experiment_id, agent_version) WHERE experiment_id IS NOT NULL;
