-- The initial schema. {{id}}, {{time}} and {{bytes}} stand for the dialect's
-- auto-increment key, timestamp and byte-string types.

CREATE TABLE meetings (
  id {{id}},
  provider TEXT NOT NULL,
  meeting_id TEXT NOT NULL,
  first_seen_at {{time}} NOT NULL,
  last_event_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX meetings_provider_meeting ON meetings (provider, meeting_id);
CREATE INDEX meetings_meeting_id ON meetings (meeting_id);
CREATE INDEX meetings_last_event ON meetings (last_event_at);

CREATE TABLE sessions (
  id {{id}},
  meeting_ref BIGINT NOT NULL REFERENCES meetings (id),
  provider TEXT NOT NULL,
  session_id TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at {{time}},
  ended_at {{time}},
  end_reason TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  first_seen_at {{time}} NOT NULL,
  last_event_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX sessions_meeting_session ON sessions (meeting_ref, session_id);
CREATE INDEX sessions_meeting ON sessions (meeting_ref);
CREATE INDEX sessions_status ON sessions (status, last_event_at);

CREATE TABLE participants (
  id {{id}},
  meeting_ref BIGINT NOT NULL REFERENCES meetings (id),
  session_id TEXT NOT NULL,
  participant_id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT '',
  present BOOLEAN NOT NULL DEFAULT FALSE,
  first_seen_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX participants_key ON participants (meeting_ref, session_id, participant_id);

CREATE TABLE attendances (
  id {{id}},
  participant_ref BIGINT NOT NULL REFERENCES participants (id),
  joined_at {{time}},
  left_at {{time}},
  leave_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attendances_participant ON attendances (participant_ref);

CREATE TABLE recordings (
  id {{id}},
  meeting_ref BIGINT REFERENCES meetings (id),
  provider TEXT NOT NULL,
  kind TEXT NOT NULL,
  recording_key TEXT NOT NULL,
  external_id TEXT NOT NULL DEFAULT '',
  instance_id TEXT NOT NULL DEFAULT '',
  session_id TEXT NOT NULL DEFAULT '',
  participant_id TEXT NOT NULL DEFAULT '',
  track_kind TEXT NOT NULL DEFAULT '',
  file_format TEXT NOT NULL DEFAULT '',
  {{lifecycle}},
  files TEXT NOT NULL DEFAULT '[]',
  key_url TEXT NOT NULL DEFAULT '',
  meta_url TEXT NOT NULL DEFAULT '',
  participants TEXT NOT NULL DEFAULT '',
  first_seen_at {{time}} NOT NULL,
  updated_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX recordings_key ON recordings (provider, kind, recording_key);
CREATE INDEX recordings_meeting ON recordings (meeting_ref);
CREATE INDEX recordings_instance ON recordings (provider, kind, instance_id);
CREATE INDEX recordings_updated ON recordings (updated_at);

CREATE TABLE streams (
  id {{id}},
  meeting_ref BIGINT REFERENCES meetings (id),
  provider TEXT NOT NULL,
  kind TEXT NOT NULL,
  stream_key TEXT NOT NULL,
  external_id TEXT NOT NULL DEFAULT '',
  session_id TEXT NOT NULL DEFAULT '',
  {{lifecycle}},
  playable_at {{time}},
  playback_url TEXT NOT NULL DEFAULT '',
  livestream_url TEXT NOT NULL DEFAULT '',
  downstream_url TEXT NOT NULL DEFAULT '',
  first_seen_at {{time}} NOT NULL,
  updated_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX streams_key ON streams (provider, kind, stream_key);
CREATE INDEX streams_meeting ON streams (meeting_ref);

CREATE TABLE transcriptions (
  id {{id}},
  meeting_ref BIGINT REFERENCES meetings (id),
  provider TEXT NOT NULL,
  kind TEXT NOT NULL,
  transcription_key TEXT NOT NULL,
  external_id TEXT NOT NULL DEFAULT '',
  session_id TEXT NOT NULL DEFAULT '',
  mode TEXT NOT NULL DEFAULT '',
  {{lifecycle}},
  first_seen_at {{time}} NOT NULL,
  updated_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX transcriptions_key ON transcriptions (provider, kind, transcription_key);
CREATE INDEX transcriptions_meeting ON transcriptions (meeting_ref);

CREATE TABLE calls (
  id {{id}},
  meeting_ref BIGINT REFERENCES meetings (id),
  provider TEXT NOT NULL,
  call_id TEXT NOT NULL,
  room_id TEXT NOT NULL DEFAULT '',
  direction TEXT NOT NULL DEFAULT '',
  "from" TEXT NOT NULL DEFAULT '',
  "to" TEXT NOT NULL DEFAULT '',
  gateway_id TEXT NOT NULL DEFAULT '',
  rule_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '',
  status_at {{time}},
  meta_data TEXT NOT NULL DEFAULT '',
  additional_details TEXT NOT NULL DEFAULT '',
  first_seen_at {{time}} NOT NULL,
  updated_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX calls_key ON calls (provider, call_id);
CREATE INDEX calls_meeting ON calls (meeting_ref);

CREATE TABLE call_steps (
  id {{id}},
  call_ref BIGINT NOT NULL REFERENCES calls (id),
  step TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT '',
  occurred_at {{time}},
  at_text TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  received_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX call_steps_key ON call_steps (call_ref, step, status, at_text);

CREATE TABLE agent_sessions (
  id {{id}},
  meeting_ref BIGINT REFERENCES meetings (id),
  provider TEXT NOT NULL,
  kind TEXT NOT NULL,
  agent_session TEXT NOT NULL DEFAULT '',
  meeting_id TEXT NOT NULL DEFAULT '',
  agent_id TEXT NOT NULL DEFAULT '',
  deployment_id TEXT NOT NULL DEFAULT '',
  version_id TEXT NOT NULL DEFAULT '',
  {{lifecycle}},
  first_seen_at {{time}} NOT NULL,
  updated_at {{time}} NOT NULL
);
CREATE INDEX agent_sessions_session ON agent_sessions (provider, agent_session);
CREATE INDEX agent_sessions_meeting ON agent_sessions (meeting_ref);

CREATE TABLE batch_calls (
  id {{id}},
  provider TEXT NOT NULL,
  batch_id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  {{lifecycle}},
  first_seen_at {{time}} NOT NULL,
  updated_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX batch_calls_key ON batch_calls (provider, batch_id);

CREATE TABLE resources (
  id {{id}},
  provider TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  composer_type TEXT NOT NULL DEFAULT '',
  {{lifecycle}},
  first_seen_at {{time}} NOT NULL,
  updated_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX resources_key ON resources (provider, resource_id);

CREATE TABLE knowledge_bases (
  id {{id}},
  provider TEXT NOT NULL,
  knowledge_base_id TEXT NOT NULL,
  record_id TEXT NOT NULL DEFAULT '',
  meta_data TEXT NOT NULL DEFAULT '',
  {{lifecycle}},
  first_seen_at {{time}} NOT NULL,
  updated_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX knowledge_bases_key ON knowledge_bases (provider, knowledge_base_id, record_id);

CREATE TABLE raw_events (
  id {{id}},
  provider TEXT NOT NULL,
  type TEXT NOT NULL,
  received_at {{time}} NOT NULL,
  meeting_id TEXT NOT NULL DEFAULT '',
  session_id TEXT NOT NULL DEFAULT '',
  provider_event_id TEXT,
  hash TEXT NOT NULL,
  body {{bytes}} NOT NULL,
  outcome TEXT NOT NULL,
  repeated BOOLEAN NOT NULL DEFAULT FALSE,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX raw_events_provider_event ON raw_events (provider, provider_event_id);
CREATE INDEX raw_events_meeting ON raw_events (meeting_id, id);
CREATE INDEX raw_events_hash ON raw_events (hash, received_at);
