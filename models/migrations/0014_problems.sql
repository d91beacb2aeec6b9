-- The status filters of the lists and the problems view (models/statuses.go,
-- models/problems.go) read the rows of one status, most recently changed
-- first. An index on (status, updated_at, id) per table gives a page of
-- them without reading the rows of other statuses; it also serves the
-- problems view's failed transcriptions and agent sessions, which have no
-- list of their own.
CREATE INDEX recordings_status ON recordings (status, updated_at, id);
CREATE INDEX streams_status ON streams (status, updated_at, id);
CREATE INDEX transcriptions_status ON transcriptions (status, updated_at, id);
CREATE INDEX agent_sessions_status ON agent_sessions (status, updated_at, id);
-- A call fails in one of its steps (a transfer that failed, a dial-out
-- error), whatever its later steps say. The steps whose status is a failure
-- (sqlCallStepFailed, spelled out the same way there so that PostgreSQL and
-- SQLite use this index) are a small part of all steps: a partial index
-- finds them, newest first.
CREATE INDEX call_steps_failed ON call_steps (received_at, id) WHERE status IN ('error', 'notenabled', 'SWITCH_ROOM_FAILED', 'TRANSFER_FAILED');
-- A stay that the session's end closed (leave reason 'session-ended') is
-- one whose participant-left never came. Few stays end that way, so a
-- partial index finds them without reading every attendance.
CREATE INDEX attendances_session_ended ON attendances (participant_ref) WHERE leave_reason = 'session-ended';
