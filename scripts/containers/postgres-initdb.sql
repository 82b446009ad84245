-- Run once when the compose database is created (docker-entrypoint-initdb.d, as POSTGRES_USER on POSTGRES_DB):
-- memory-service's migrations use the vector type but do not create the extension (the role need not be a
-- superuser elsewhere), so it is created here, in the platform's database and in template1 for new databases.
CREATE EXTENSION IF NOT EXISTS vector;
\connect template1
CREATE EXTENSION IF NOT EXISTS vector;
