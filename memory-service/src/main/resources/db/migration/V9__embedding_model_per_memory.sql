-- Which model made each memory's vector. Two models of the same dimension (all-MiniLM-L6-v2 and e5-small-v2 both make
-- 384) give vectors that must not be compared, and the dimension guard cannot tell them apart. When
-- agency.memory.embedding-model changes, the service re-embeds the memories of another model in the background
-- (Reembedding) and the dense ranking and the duplicate check leave them out until then; the text ranking finds them
-- all along.
--
-- Existing rows were made with the model recorded in embedding_config. A constant default fills them without
-- rewriting the table (PostgreSQL keeps it as the column's missing value): the configured model, which is the
-- recorded one unless the model is changed in the same deployment as this upgrade — then the UPDATE below labels
-- the rows with the recorded model (rewriting them). New rows always name their model, so the default is dropped.
ALTER TABLE memories ADD COLUMN embedding_model text NOT NULL DEFAULT '${embeddingModel}';
ALTER TABLE memories ALTER COLUMN embedding_model DROP DEFAULT;
UPDATE memories SET embedding_model = (SELECT model FROM embedding_config)
WHERE embedding_model <> (SELECT model FROM embedding_config);
