-- /readyz proves that a write commits by upserting this table's one row
-- (Store.Ready), at most once every few seconds. A database that reads but
-- cannot write (read-only, disk full) is then reported not ready.

CREATE TABLE readiness_probes (
  id INTEGER PRIMARY KEY,
  checked_at {{time}} NOT NULL
);
