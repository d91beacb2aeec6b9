-- The rooms of webhooks.sql: 200 meetings with a live session each, as
-- loadgen's ingest mode spreads its deliveries over. Run once on a database
-- the dashboard has migrated.
INSERT INTO meetings (provider, meeting_id, first_seen_at, last_event_at)
SELECT 'videosdk', 'm' || g, now(), now() FROM generate_series(0, 199) g;
INSERT INTO sessions (meeting_ref, provider, session_id, status, started_at, first_seen_at, last_event_at)
SELECT id, 'videosdk', 's' || meeting_id, 'live', now(), now(), now() FROM meetings;
