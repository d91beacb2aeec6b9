-- Almost every event moves its session's last_event_at. The index on
-- (status, last_event_at) made each of those updates write every index of
-- the table (no HOT update on PostgreSQL), and the live-rooms page still
-- read every session ever ended to find the most recent ones. Live sessions
-- now have a partial index, and ended ones a column that is written once,
-- when the session ends: the provider's end time, else when the end was
-- first heard of. The live-rooms page finds the recently ended through it
-- without reading the others, and an update that moves only last_event_at
-- touches no index.
DROP INDEX sessions_status;
CREATE INDEX sessions_live ON sessions (meeting_ref) WHERE status = 'live';
ALTER TABLE sessions ADD COLUMN closed_at {{time}};
UPDATE sessions SET closed_at = COALESCE(ended_at, last_event_at) WHERE status = 'ended';
CREATE INDEX sessions_closed ON sessions (closed_at, id) WHERE status = 'ended';
