-- On PostgreSQL the event log and its outcomes are partitioned by arrival
-- time, so retention drops whole partitions instead of deleting rows (see
-- models/partitions.go, which creates the partitions ahead of time).
--
-- The tables as they were become the partitions "_legacy", holding every
-- row logged before this migration (up to now, or to the newest arrival if
-- a clock ran ahead), without copying them; retention removes their rows
-- in batches until the whole partition is old enough to drop. The days
-- from now until three days ahead get their partitions here, before any
-- delivery can arrive (the store makes the later ones). Rows that fall
-- outside every partition land in the "_default" partitions.
--
-- A provider event id is no longer unique by index (a unique index on a
-- partitioned table must hold the partition key): the event log's
-- committers take an advisory lock per provider event id before looking
-- for earlier deliveries of it (see models/ingest.go).
DO $$
DECLARE
  upto timestamptz;
  day_start timestamptz;
  day_end timestamptz;
  t text;
BEGIN
  SELECT greatest(now(), max(received_at) + interval '1 microsecond') INTO upto FROM raw_events;

  ALTER TABLE raw_events RENAME TO raw_events_legacy;
  ALTER TABLE raw_events_legacy DROP CONSTRAINT raw_events_pkey;
  ALTER TABLE raw_events_legacy ALTER COLUMN id DROP DEFAULT;
  DROP INDEX raw_events_provider_event;
  DROP INDEX raw_events_meeting;
  DROP INDEX raw_events_hash;
  DROP INDEX raw_events_order;
  CREATE TABLE raw_events (
    id BIGINT NOT NULL DEFAULT nextval('raw_events_id_seq'),
    provider TEXT NOT NULL,
    type TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    meeting_id TEXT NOT NULL DEFAULT '',
    session_id TEXT NOT NULL DEFAULT '',
    provider_event_id TEXT,
    hash TEXT NOT NULL,
    body BYTEA NOT NULL,
    repeated BOOLEAN NOT NULL DEFAULT FALSE,
    detail TEXT NOT NULL DEFAULT '',
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (id, received_at)
  ) PARTITION BY RANGE (received_at);
  ALTER SEQUENCE raw_events_id_seq OWNED BY raw_events.id;
  EXECUTE format('ALTER TABLE raw_events ATTACH PARTITION raw_events_legacy FOR VALUES FROM (MINVALUE) TO (%L)', upto);
  CREATE TABLE raw_events_default PARTITION OF raw_events DEFAULT;
  CREATE INDEX raw_events_provider_event ON raw_events (provider, provider_event_id);
  CREATE INDEX raw_events_meeting ON raw_events (meeting_id text_pattern_ops, id);
  CREATE INDEX raw_events_hash ON raw_events (hash, received_at);
  CREATE INDEX raw_events_order ON raw_events (xid, id);

  ALTER TABLE event_outcomes RENAME TO event_outcomes_legacy;
  ALTER TABLE event_outcomes_legacy DROP CONSTRAINT event_outcomes_pkey;
  ALTER TABLE event_outcomes_legacy ADD COLUMN received_at TIMESTAMPTZ;
  UPDATE event_outcomes_legacy o SET received_at = r.received_at FROM raw_events_legacy r WHERE r.id = o.event_id;
  DELETE FROM event_outcomes_legacy WHERE received_at IS NULL;
  ALTER TABLE event_outcomes_legacy ALTER COLUMN received_at SET NOT NULL;
  CREATE TABLE event_outcomes (
    event_id BIGINT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, received_at)
  ) PARTITION BY RANGE (received_at);
  EXECUTE format('ALTER TABLE event_outcomes ATTACH PARTITION event_outcomes_legacy FOR VALUES FROM (MINVALUE) TO (%L)', upto);
  CREATE TABLE event_outcomes_default PARTITION OF event_outcomes DEFAULT;

  day_start := upto;
  WHILE day_start < (date_trunc('day', now() AT TIME ZONE 'UTC') + interval '4 days') AT TIME ZONE 'UTC' LOOP
    day_end := (date_trunc('day', day_start AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC';
    FOREACH t IN ARRAY ARRAY['raw_events', 'event_outcomes'] LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
        t || '_' || to_char(day_start AT TIME ZONE 'UTC', 'YYYYMMDD'), t, day_start, day_end);
    END LOOP;
    day_start := day_end;
  END LOOP;
END
$$;
