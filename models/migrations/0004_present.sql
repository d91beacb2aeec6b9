-- The participants in the room, by meeting and session. The live-rooms
-- page, the meetings list and a session's end ask who is present; without
-- this index those queries read every participant a meeting ever had, so
-- they slowed down as history grew (seen in an hour-long soak: 70 ms per
-- live-rooms render after 30 minutes, with 66 of 286,000 rows present).
CREATE INDEX participants_present ON participants (meeting_ref, session_id) WHERE present;
