-- The event log is the source of truth, and the models are folded in from
-- it behind the webhooks' answers (see models/projector.go).
--
-- raw_events.xid is the transaction that logged the row (PostgreSQL's
-- pg_current_xact_id(); 0 on SQLite, whose one writer commits in id order).
-- The projector reads the log in (xid, id) order, only below the oldest
-- transaction still in flight, so a row that commits late is never passed
-- over. projector_position is how far it has read, committed with the
-- model changes. event_outcomes holds what applying each event did; a row
-- past the position has none yet (pending). The rows already in the log
-- were applied when they were logged: the position starts after them and
-- their outcomes move over.
ALTER TABLE raw_events ADD COLUMN xid {{xid}};
CREATE INDEX raw_events_order ON raw_events (xid, id);
CREATE TABLE event_outcomes (
  event_id BIGINT PRIMARY KEY,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
INSERT INTO event_outcomes (event_id, outcome, detail) SELECT id, outcome, detail FROM raw_events;
CREATE TABLE projector_position (
  id INTEGER PRIMARY KEY,
  xid {{xid}},
  event_id BIGINT NOT NULL
);
INSERT INTO projector_position (id, event_id) SELECT 1, COALESCE(MAX(id), 0) FROM raw_events;
ALTER TABLE raw_events DROP COLUMN outcome;
