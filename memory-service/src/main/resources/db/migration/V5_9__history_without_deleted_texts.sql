-- Deleting a memory (one, all, or by expiry) leaves no copy of its text anywhere: its history keeps the events, not
-- the content. Until now a single delete wrote the text into its DELETE event and the expiry purge into its EXPIRE
-- event, and the ADD and UPDATE events kept theirs; this removes the texts of every memory that no longer exists.
UPDATE memory_history h SET old_memory = NULL, new_memory = NULL
WHERE (h.old_memory IS NOT NULL OR h.new_memory IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM memories m WHERE m.id = h.memory_id);
