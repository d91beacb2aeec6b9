-- Alerts (models/alerts.go): one row per problem worth telling someone
-- about, raised once (dedupe_key is the problem's kind and row), and its
-- delivery to the configured URL: pending until sent, retried with backoff
-- (next_attempt_at), sent or given up.
CREATE TABLE alerts (
  id {{id}},
  kind TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  provider TEXT NOT NULL DEFAULT '',
  meeting_id TEXT NOT NULL DEFAULT '',
  what TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  link TEXT NOT NULL DEFAULT '',
  happened_at {{time}} NOT NULL,
  created_at {{time}} NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at {{time}} NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  sent_at {{time}}
);
CREATE UNIQUE INDEX alerts_dedupe ON alerts (dedupe_key);
CREATE INDEX alerts_due ON alerts (status, next_attempt_at, id);
CREATE INDEX alerts_created ON alerts (created_at, id);
