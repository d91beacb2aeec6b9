-- A meeting's page reads the newest rows of each kind (by id) of a room
-- that may have years of history: each table gets an index on
-- (meeting_ref, id), which finds them without reading the rest, and the
-- indexes on meeting_ref alone, which it also serves, go. Building them
-- holds writes to each table for as long as it takes.
DROP INDEX sessions_meeting;
CREATE INDEX sessions_meeting ON sessions (meeting_ref, id);
CREATE INDEX participants_meeting ON participants (meeting_ref, id);
DROP INDEX recordings_meeting;
CREATE INDEX recordings_meeting ON recordings (meeting_ref, id);
DROP INDEX streams_meeting;
CREATE INDEX streams_meeting ON streams (meeting_ref, id);
DROP INDEX transcriptions_meeting;
CREATE INDEX transcriptions_meeting ON transcriptions (meeting_ref, id);
DROP INDEX calls_meeting;
CREATE INDEX calls_meeting ON calls (meeting_ref, id);
DROP INDEX agent_sessions_meeting;
CREATE INDEX agent_sessions_meeting ON agent_sessions (meeting_ref, id);
