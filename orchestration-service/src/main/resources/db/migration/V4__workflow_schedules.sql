-- db-scheduler's table (com.github.kagkarlsson:db-scheduler, its PostgreSQL layout): one row per scheduled execution.
-- Each workflow schedule has one row here (task_name 'workflow-schedule', task_instance = the schedule's id) whose
-- execution_time is its next tick; replicas poll it and one of them picks each due row.
CREATE TABLE scheduled_tasks (
    task_name            text        NOT NULL,
    task_instance        text        NOT NULL,
    task_data            bytea,
    execution_time       timestamptz,
    picked               boolean     NOT NULL,
    picked_by            text,
    last_success         timestamptz,
    last_failure         timestamptz,
    consecutive_failures int,
    last_heartbeat       timestamptz,
    version              bigint      NOT NULL,
    priority             smallint,
    state                text,
    PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX scheduled_tasks_execution_time_idx ON scheduled_tasks (execution_time);
CREATE INDEX scheduled_tasks_last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
CREATE INDEX scheduled_tasks_priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);

-- A cron schedule of a workflow. The API key it acts with (issued by auth-service when the user created it) is sealed
-- with the master key and revoked when the schedule is deleted.
CREATE TABLE workflow_schedules (
    seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id            uuid PRIMARY KEY,
    workflow_id   uuid         NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    user_id       uuid         NOT NULL,
    cron          varchar(200) NOT NULL,
    time_zone     varchar(64)  NOT NULL,
    input         jsonb        NOT NULL DEFAULT '{}',
    missed_policy varchar(16)  NOT NULL,
    paused        boolean      NOT NULL DEFAULT false,
    credential_id uuid         NOT NULL,
    credential    bytea        NOT NULL,
    last_tick     timestamptz,
    last_run_id   uuid,
    last_error    text,
    created_at    timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX workflow_schedules_user_idx ON workflow_schedules (user_id, seq DESC);

-- Each tick that started a run: the primary key makes a second run for the same tick impossible (a second replica,
-- a retry after a crash). The run row is inserted in the same transaction, after this one.
CREATE TABLE schedule_fires (
    schedule_id uuid        NOT NULL REFERENCES workflow_schedules (id) ON DELETE CASCADE,
    tick        timestamptz NOT NULL,
    run_id      uuid        NOT NULL REFERENCES runs (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schedule_id, tick)
);
CREATE INDEX schedule_fires_run_idx ON schedule_fires (run_id);

-- A run started by a trigger borrows the trigger's API key: it is cleared, not revoked, when the run ends.
ALTER TABLE runs ADD COLUMN credential_borrowed boolean NOT NULL DEFAULT false;
