-- Search (models/search.go) finds meetings by any part of their id, and
-- participants by any part of their name or id, whatever the case: ILIKE
-- '%text%', served by trigram indexes (pg_trgm's GIN operator class).
-- pg_trgm is a trusted extension (PostgreSQL 13 and later), so a database
-- owner may create it. Where it cannot be created, or its indexes cannot,
-- the migration does not fail: it builds indexes on the lower-cased
-- columns instead, the store finds no trigram index and searches the start
-- of names and ids only, and the dashboard says so in its log at startup.
-- The operator class is named with the extension's schema, which need not
-- be on the search path.
DO $$
DECLARE
  ext text;
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    SELECT n.nspname INTO ext FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX meetings_meeting_id_trgm ON meetings USING gin (meeting_id %I.gin_trgm_ops)', ext);
    EXECUTE format('CREATE INDEX participants_name_trgm ON participants USING gin (name %I.gin_trgm_ops)', ext);
    EXECUTE format('CREATE INDEX participants_participant_id_trgm ON participants USING gin (participant_id %I.gin_trgm_ops)', ext);
  EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'pg_trgm is not available (%): search matches the start of names and ids only', SQLERRM;
    CREATE INDEX meetings_meeting_id_lower ON meetings (lower(meeting_id) text_pattern_ops);
    CREATE INDEX participants_name_lower ON participants (lower(name) text_pattern_ops);
    CREATE INDEX participants_participant_id_lower ON participants (lower(participant_id) text_pattern_ops);
  END;
END
$$;
