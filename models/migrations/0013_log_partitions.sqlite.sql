-- An event's outcome carries its arrival time, as on PostgreSQL, where the
-- outcomes are partitioned by it (see 0013_log_partitions.postgres.sql).
-- SQLite's log is not partitioned: retention deletes in small batches.
ALTER TABLE event_outcomes ADD COLUMN received_at DATETIME;
UPDATE event_outcomes SET received_at = (SELECT r.received_at FROM raw_events r WHERE r.id = event_outcomes.event_id);
DELETE FROM event_outcomes WHERE received_at IS NULL;
