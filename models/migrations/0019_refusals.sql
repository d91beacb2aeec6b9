-- Refused deliveries (models/refusals.go): the webhooks answered 4xx or
-- 5xx and not logged. refusals keeps some of them whole (bounded: a few
-- hundred bytes of reason and body each, a quota a minute, and only the
-- newest few thousand); refusal_counts counts every one, by minute,
-- provider, kind and source address, and is kept for a little over a day.
CREATE TABLE refusals (
  id {{id}},
  provider TEXT NOT NULL,
  received_at {{time}} NOT NULL,
  kind TEXT NOT NULL,
  status INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  body_size BIGINT NOT NULL DEFAULT 0,
  excerpt {{bytes}}
);
CREATE INDEX refusals_received ON refusals (received_at, id);
CREATE INDEX refusals_provider ON refusals (provider, received_at, id);

CREATE TABLE refusal_counts (
  minute BIGINT NOT NULL,
  provider TEXT NOT NULL,
  kind TEXT NOT NULL,
  source TEXT NOT NULL,
  deliveries BIGINT NOT NULL,
  last_at {{time}} NOT NULL,
  PRIMARY KEY (minute, provider, kind, source)
);
CREATE INDEX refusal_counts_provider ON refusal_counts (provider, minute, last_at);

-- The provider health page counts each provider's accepted deliveries a
-- minute over the last day, and finds its last one.
CREATE INDEX raw_events_provider_received ON raw_events (provider, received_at);
