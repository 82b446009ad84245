-- The replay log keeps each sent frame for a couple of minutes so that a dropped connection can resume. Every frame
-- was a committed INSERT waiting for a WAL flush (~10 % of the gateway's CPU and one disk flush per streamed chunk
-- under 200 concurrent chats). UNLOGGED: no WAL, no flush; after a PostgreSQL crash (or on a promoted standby) the
-- table starts empty, so connections open at that moment cannot resume — the gateway answers resume with
-- the `resume_expired` error, as for an expired log, and the client starts afresh.
ALTER TABLE ws_frames SET UNLOGGED;
