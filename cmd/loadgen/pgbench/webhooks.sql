-- The rows n webhooks cost, in the event log and in the projector's apply,
-- written here in one transaction (n/2 joins and n/2 leaves
-- over 200 meetings, like loadgen's ingest mode), as set-based SQL on the
-- dashboard's own schema, with no HTTP, decoding or Go in the way. It leaves
-- out the reads a commit makes first, so n times its rate is an upper bound
-- on what the dashboard can ingest on the same machine. Like the dashboard's
-- committers, the clients share the meetings out (client k takes those whose
-- number is k modulo c), so they never wait for each other's row locks.
-- Needs seed.sql, and from the command line n (even, at most 200 / c) and c,
-- the number of clients: pgbench -c 2 -D c=2 -D n=32 ...
\set r random(0, 199)
\set half :n / 2
BEGIN;
INSERT INTO meetings (provider, meeting_id, first_seen_at, last_event_at)
SELECT 'videosdk', 'm' || (((:r + g) * :c + :client_id) % 200), now(), now() FROM generate_series(1, :n) g ORDER BY 2
ON CONFLICT (provider, meeting_id) DO UPDATE SET last_event_at = GREATEST(meetings.last_event_at, excluded.last_event_at);
UPDATE sessions SET last_event_at = now()
WHERE meeting_ref IN (SELECT id FROM meetings WHERE meeting_id IN (SELECT 'm' || (((:r + g) * :c + :client_id) % 200) FROM generate_series(1, :n) g));
WITH joined AS (
  INSERT INTO participants (meeting_ref, session_id, participant_id, name, role, present, first_seen_at)
  SELECT m.id, 's' || m.meeting_id, md5(random()::text), 'Priya R.', '', true, now()
  FROM meetings m WHERE meeting_id IN (SELECT 'm' || (((:r + g) * :c + :client_id) % 200) FROM generate_series(1, :half) g)
  RETURNING id)
INSERT INTO attendances (participant_ref, joined_at) SELECT id, now() FROM joined;
-- Those who leave joined a few commits before: each commit moves the window
-- on by the half it adds.
SELECT max(id) - 3 * :n + 1 AS lo, max(id) - 2 * :n AS hi FROM participants \gset
WITH gone AS (UPDATE participants SET present = false WHERE id BETWEEN :lo AND :hi AND present RETURNING id)
UPDATE attendances SET left_at = now(), leave_reason = 'user-left' WHERE participant_ref IN (SELECT id FROM gone);
WITH logged AS (INSERT INTO raw_events (provider, type, received_at, meeting_id, session_id, hash, body, repeated, detail)
SELECT 'videosdk', 'participant-joined', now(), 'm' || (((:r + g) * :c + :client_id) % 200), 's', encode(sha256(random()::text::bytea), 'hex'),
  convert_to('{"webhookType":"participant-left","data":{"meetingId":"jvsg-8rjn-j304","sessionId":"613731342f27f56e4fc4b6d0","participantId":"k3x9q2a1x4f","participantName":"Priya R.","reason":"network-disconnected"}}' || random(), 'UTF8'),
  false, ''
FROM generate_series(1, :n) g RETURNING id, received_at)
INSERT INTO event_outcomes (event_id, received_at, outcome) SELECT id, received_at, 'applied' FROM logged;
WITH feed_lock AS (SELECT pg_advisory_xact_lock(42))
INSERT INTO changes (created_at, meetings, others) SELECT now(), 'm', false FROM feed_lock;
COMMIT;
