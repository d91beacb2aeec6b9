-- The recordings, streams and calls lists show the most recently changed
-- first, a page at a time: an index on (updated_at, id) gives each page
-- without sorting the whole table.
DROP INDEX recordings_updated;
CREATE INDEX recordings_updated ON recordings (updated_at, id);
CREATE INDEX streams_updated ON streams (updated_at, id);
CREATE INDEX calls_updated ON calls (updated_at, id);
