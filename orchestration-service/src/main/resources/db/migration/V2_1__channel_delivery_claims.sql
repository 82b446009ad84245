-- Channel deliveries survive a restart: the message keeps the identity of the user who posted it (the token is
-- removed once no delivery is pending), and an instance claims a pending delivery with a lease before executing it,
-- so a sweep (FOR UPDATE SKIP LOCKED) can hand deliveries of a stopped instance to a live one.
ALTER TABLE channel_messages ADD COLUMN caller jsonb;
ALTER TABLE channel_deliveries ADD COLUMN claimed_by varchar(80);
ALTER TABLE channel_deliveries ADD COLUMN claimed_until timestamptz;
DROP INDEX channel_deliveries_pending_idx;
CREATE INDEX channel_deliveries_pending_idx ON channel_deliveries (claimed_until) WHERE status = 'pending';
