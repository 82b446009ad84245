-- The running summary (conversations.summary) covers the oldest `summarized_messages` messages of the conversation:
-- those that left the prompt window. Messages are append-only, so a count identifies them.
ALTER TABLE conversations ADD COLUMN summarized_messages integer NOT NULL DEFAULT 0;
