-- The change feed: one row per committed ingest transaction, naming the
-- meetings it changed, in commit order. Every instance reads the rows after
-- the last one it saw and pushes those meetings' pages to its browsers.

CREATE TABLE changes (
  seq {{id}},
  created_at {{time}} NOT NULL,
  meetings TEXT NOT NULL DEFAULT '',
  others BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX changes_created ON changes (created_at);
