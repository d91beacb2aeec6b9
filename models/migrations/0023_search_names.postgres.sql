-- Search (models/search.go) reads copies of the searched columns, not the
-- tables themselves. Migration 0021 indexed meetings and participants
-- directly; this one moves the indexes to the copies and drops those.
--
-- The searched columns are copied into tables of their own, meeting_names
-- and participant_names, kept by the triggers below, and indexed there:
-- a meeting's row is rewritten at every event and a participant's at every
-- join and leave, each time with new entries in all of its table's indexes
-- (an update of an indexed column is never a heap-only one), while a name
-- or id is written once. The triggers copy what an insert adds (once per
-- statement), a change of a searched column, a delete and a truncate.
DROP INDEX IF EXISTS meetings_meeting_id_trgm;
DROP INDEX IF EXISTS participants_name_trgm;
DROP INDEX IF EXISTS participants_participant_id_trgm;
DROP INDEX IF EXISTS meetings_meeting_id_lower;
DROP INDEX IF EXISTS participants_name_lower;
DROP INDEX IF EXISTS participants_participant_id_lower;

CREATE TABLE meeting_names (
  meeting_ref BIGINT PRIMARY KEY,
  meeting_id TEXT NOT NULL
);
CREATE TABLE participant_names (
  participant_ref BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  participant_id TEXT NOT NULL
);
INSERT INTO meeting_names (meeting_ref, meeting_id) SELECT id, meeting_id FROM meetings;
INSERT INTO participant_names (participant_ref, name, participant_id) SELECT id, name, participant_id FROM participants;

CREATE FUNCTION meeting_names_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO meeting_names (meeting_ref, meeting_id) SELECT id, meeting_id FROM added;
  RETURN NULL;
END
$$;
CREATE FUNCTION meeting_names_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM meeting_names WHERE meeting_ref = OLD.id;
  ELSE
    UPDATE meeting_names SET meeting_id = NEW.meeting_id WHERE meeting_ref = NEW.id;
  END IF;
  RETURN NULL;
END
$$;
CREATE FUNCTION meeting_names_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE meeting_names;
  RETURN NULL;
END
$$;
CREATE TRIGGER meeting_names_insert AFTER INSERT ON meetings REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION meeting_names_added();
CREATE TRIGGER meeting_names_update AFTER UPDATE OF meeting_id ON meetings FOR EACH ROW WHEN (OLD.meeting_id IS DISTINCT FROM NEW.meeting_id) EXECUTE FUNCTION meeting_names_changed();
CREATE TRIGGER meeting_names_delete AFTER DELETE ON meetings FOR EACH ROW EXECUTE FUNCTION meeting_names_changed();
CREATE TRIGGER meeting_names_truncate AFTER TRUNCATE ON meetings FOR EACH STATEMENT EXECUTE FUNCTION meeting_names_emptied();

CREATE FUNCTION participant_names_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO participant_names (participant_ref, name, participant_id) SELECT id, name, participant_id FROM added;
  RETURN NULL;
END
$$;
CREATE FUNCTION participant_names_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM participant_names WHERE participant_ref = OLD.id;
  ELSE
    UPDATE participant_names SET name = NEW.name, participant_id = NEW.participant_id WHERE participant_ref = NEW.id;
  END IF;
  RETURN NULL;
END
$$;
CREATE FUNCTION participant_names_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE participant_names;
  RETURN NULL;
END
$$;
CREATE TRIGGER participant_names_insert AFTER INSERT ON participants REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION participant_names_added();
CREATE TRIGGER participant_names_update AFTER UPDATE OF name, participant_id ON participants FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.participant_id IS DISTINCT FROM NEW.participant_id) EXECUTE FUNCTION participant_names_changed();
CREATE TRIGGER participant_names_delete AFTER DELETE ON participants FOR EACH ROW EXECUTE FUNCTION participant_names_changed();
CREATE TRIGGER participant_names_truncate AFTER TRUNCATE ON participants FOR EACH STATEMENT EXECUTE FUNCTION participant_names_emptied();

-- Participants' ids are matched from their start, whatever the case,
-- through a B-tree on the lower-cased id: ids are mostly random strings,
-- and a trigram index of them cost three times what the names' did to
-- write (200,000 rows: names 8 s, names and ids 22 s, no index 2 s).
CREATE INDEX participant_names_id_lower ON participant_names (lower(participant_id) text_pattern_ops);

-- pg_trgm is a trusted extension (PostgreSQL 13 and later), so a database
-- owner may create it. Where it cannot be created, or its indexes cannot,
-- the migration does not fail: it builds indexes on the lower-cased
-- columns instead, the store finds no trigram index and searches the start
-- of names and ids only, and the dashboard says so in its log at startup.
-- The operator class is named with the extension's schema, which need not
-- be on the search path. New names wait in a GIN index's pending list
-- until it is merged in, and every search reads that list whole: the
-- default, 4 MB, cost searches tens of milliseconds, and 256 kB cost
-- writes three times what 4 MB did; 1 MB sits between.
DO $$
DECLARE
  ext text;
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    SELECT n.nspname INTO ext FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX meeting_names_trgm ON meeting_names USING gin (meeting_id %I.gin_trgm_ops) WITH (gin_pending_list_limit = 1024)', ext);
    EXECUTE format('CREATE INDEX participant_names_name_trgm ON participant_names USING gin (name %I.gin_trgm_ops) WITH (gin_pending_list_limit = 1024)', ext);
  EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'pg_trgm is not available (%): search matches the start of names and ids only', SQLERRM;
    CREATE INDEX meeting_names_lower ON meeting_names (lower(meeting_id) text_pattern_ops);
    CREATE INDEX participant_names_name_lower ON participant_names (lower(name) text_pattern_ops);
  END;
END
$$;
