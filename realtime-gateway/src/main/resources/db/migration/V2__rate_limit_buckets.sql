-- REST rate limits shared by every gateway replica (agency.gateway.rate-limit.mode=shared): one row per token bucket,
-- written by Bucket4j's PostgreSQL integration (SELECT ... FOR UPDATE, then UPDATE). id = "class|capacity/period|caller",
-- state = Bucket4j's serialized bucket, expires_at = epoch millis after which the bucket is full again and the row
-- may be purged.
CREATE TABLE rate_limit_buckets (
    id         text PRIMARY KEY,
    state      bytea,
    expires_at bigint
);
CREATE INDEX rate_limit_buckets_expires_at ON rate_limit_buckets (expires_at);
