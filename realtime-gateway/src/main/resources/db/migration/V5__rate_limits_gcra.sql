-- REST rate limits shared by every gateway replica, one row per caller and route class, decided by ONE statement
-- (SharedBuckets: the generic cell rate algorithm). tat = the bucket's "theoretical arrival time" in nanoseconds
-- since the epoch on the database's clock: the bucket is full when tat <= now, empty when tat - now > period.
-- allowed = whether the last request took a token. Unlogged: rate-limit state is not worth WAL; after a database
-- crash (or on a promoted standby) every bucket starts full, nothing else is lost. No index but the key, so updates
-- stay HOT; the purge of full buckets scans the table, which holds only recently active callers.
CREATE UNLOGGED TABLE rate_limits (
    id      text PRIMARY KEY,
    tat     bigint  NOT NULL,
    allowed boolean NOT NULL
) WITH (fillfactor = 70);

-- the previous store (Bucket4j's SELECT ... FOR UPDATE rows); its state is only consumed tokens
DROP TABLE rate_limit_buckets;
