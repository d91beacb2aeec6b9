-- The baseline: one ~200-byte row and one index entry per transaction.
-- Table: CREATE TABLE bench (id bigserial PRIMARY KEY, body text NOT NULL)
INSERT INTO bench(body) VALUES ('{"webhookType":"participant-left","data":{"meetingId":"jvsg-8rjn-j304","sessionId":"613731342f27f56e4fc4b6d0","participantId":"k3x9q2a1x4f","participantName":"Priya R.","reason":"network-disconnected"}}');
