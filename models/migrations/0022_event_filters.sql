-- The event log filters by provider, type, outcome and arrival time
-- (models/event_filter.go), newest first. Each filter has an index that
-- lists its events in id order, so a page of them is read without going
-- through the events of other providers, types or outcomes; a time range
-- reads its own stretch of the log. On PostgreSQL an index made on the
-- partitioned tables is made on each of their partitions, and on the ones
-- made later.
CREATE INDEX raw_events_provider ON raw_events (provider, id);
CREATE INDEX raw_events_type ON raw_events (type, id);
CREATE INDEX raw_events_received ON raw_events (received_at, id);
CREATE INDEX event_outcomes_outcome ON event_outcomes (outcome, event_id);
