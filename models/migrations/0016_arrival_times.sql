-- Stage times that are a delivery's arrival, standing in for a time the
-- provider did not give, are marked so that the provider's time, when a
-- later or repeated event carries it, replaces them (models/lifecycle.go).
-- Rows written before this migration count as the provider's: a rebuild
-- from the event log marks them.
ALTER TABLE recordings ADD COLUMN arrival_times INTEGER NOT NULL DEFAULT 0;
ALTER TABLE streams ADD COLUMN arrival_times INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transcriptions ADD COLUMN arrival_times INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agent_sessions ADD COLUMN arrival_times INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batch_calls ADD COLUMN arrival_times INTEGER NOT NULL DEFAULT 0;
ALTER TABLE resources ADD COLUMN arrival_times INTEGER NOT NULL DEFAULT 0;
ALTER TABLE knowledge_bases ADD COLUMN arrival_times INTEGER NOT NULL DEFAULT 0;
