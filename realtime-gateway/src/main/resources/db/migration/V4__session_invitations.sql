-- Issue 17 item 7: the users named when a session is created are invited, not added. An invitee becomes a
-- participant by accepting (POST /api/v1/sessions/{id}/join, which moves the row to collab_participants) or drops
-- the invitation by declining; until then they neither read the context nor receive its events. Participants of
-- sessions created before this migration stay participants (collab_participants is unchanged).
CREATE TABLE collab_invitations (
    session_id uuid        NOT NULL REFERENCES collab_sessions (id) ON DELETE CASCADE,
    user_id    uuid        NOT NULL,
    invited_by uuid        NOT NULL,
    invited_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX collab_invitations_user ON collab_invitations (user_id);
