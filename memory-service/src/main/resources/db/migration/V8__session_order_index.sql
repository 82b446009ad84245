-- The session-neighbour ranking signal (search/RankingSignals) looks up, for each search candidate with a sessionId,
-- the memory just before and just after it in that session: an index in that order makes each lookup one probe.
-- Partial: memories without a session have no neighbours.
CREATE INDEX memories_user_session_order_idx ON memories (user_id, session_id, created_at, id)
    WHERE session_id IS NOT NULL;
