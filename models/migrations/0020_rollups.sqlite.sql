-- The numbers behind the charts (models/rollups.go): one row per bucket of
-- time, series and label. A bucket is 60, 300 or 3600 seconds long (width)
-- and starts at bucket, in Unix seconds; each chart range reads buckets of
-- one width only, at most a few hundred of them, whatever the history.
-- Counters (deliveries, failures) are added to by the projector in its own
-- transaction; gauges (rooms live, people in rooms) are sampled once a
-- minute. Rows older than a week and a day are pruned. On SQLite the table
-- is kept in its key's order (WITHOUT ROWID), so a chart's buckets are
-- read in one run, not looked up one by one.
CREATE TABLE rollups (
  width INTEGER NOT NULL,
  bucket BIGINT NOT NULL,
  series TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  value BIGINT NOT NULL,
  PRIMARY KEY (width, bucket, series, label)
) WITHOUT ROWID;
-- How far through the event log the counters have counted, in the
-- projector's order (xid, then id). It moves with the projector but never
-- back: a rebuild moves the projector back to the start of the log, and
-- the events it applies again are not counted again.
CREATE TABLE rollup_position (
  id INTEGER PRIMARY KEY,
  xid BIGINT NOT NULL DEFAULT 0,
  event_id BIGINT NOT NULL DEFAULT 0
);
INSERT INTO rollup_position (id, xid, event_id) VALUES (1, 0, 0);
