-- A memory row with a 384-dimension embedding is ~2.1 KB: just over PostgreSQL's 2 KB TOAST threshold, so every embedding was
-- moved to the TOAST table, and the exact dense scan of a caller's rows paid a TOAST index lookup and chunk fetch
-- per memory (~2,850 buffer reads for 1,000 memories instead of ~250; 4-11 ms instead of ~1.3 ms on the shared
-- 2-core machine). With a 4 KB target such rows stay whole in the table; long texts and big vectors still go to
-- TOAST. Applies to rows written from now on; existing rows move in when rewritten (VACUUM FULL memory.memories,
-- see docs/memory.md).
ALTER TABLE memories SET (toast_tuple_target = 4080);
