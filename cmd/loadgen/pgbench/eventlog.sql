-- Only the event log rows of webhooks.sql: what a commit of n webhooks
-- writes now that applying them to the models is left to the projector's
-- later transactions. pgbench -D n=32 ...
\set r random(0, 199)
BEGIN;
INSERT INTO raw_events (provider, type, received_at, meeting_id, session_id, hash, body, repeated, detail)
SELECT 'videosdk', 'participant-joined', now(), 'm' || ((:r + g) % 200), 's', encode(sha256(random()::text::bytea), 'hex'),
  convert_to('{"webhookType":"participant-left","data":{"meetingId":"jvsg-8rjn-j304","sessionId":"613731342f27f56e4fc4b6d0","participantId":"k3x9q2a1x4f","participantName":"Priya R.","reason":"network-disconnected"}}' || random(), 'UTF8'),
  false, ''
FROM generate_series(1, :n) g;
COMMIT;
