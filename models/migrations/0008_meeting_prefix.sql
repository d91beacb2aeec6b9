-- Every list filters by a meeting id or prefix (meeting_id LIKE 'p%'). On
-- PostgreSQL that LIKE can use an index only if the index has a pattern
-- operator class or the database's collation is C, so a filtered page read
-- the event log (or the meetings) backwards until it had found its rows:
-- all of it for a rare prefix. The indexes on meeting_id are built with one
-- ({{pattern_ops}}), which serves exact ids too. SQLite's LIKE already used
-- them.
DROP INDEX raw_events_meeting;
CREATE INDEX raw_events_meeting ON raw_events (meeting_id {{pattern_ops}}, id);
DROP INDEX meetings_meeting_id;
CREATE INDEX meetings_meeting_id ON meetings (meeting_id {{pattern_ops}});
