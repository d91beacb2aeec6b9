package models_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/meetboard/meetboard/handlers/webhooks/daily"
	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// longID is n bytes of random URL-safe base64: random, so that PostgreSQL
// cannot compress it under its index row limit (about 2,700 bytes).
func longID(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// modelTables are the tables the models are stored in: everything but the
// event log, the change feed and the accounts.
var modelTables = []string{"meetings", "sessions", "participants", "attendances", "recordings", "streams",
	"transcriptions", "calls", "call_steps", "agent_sessions", "batch_calls", "resources", "knowledge_bases"}

// modelRows counts the rows of every model table.
func modelRows(t *testing.T, s *models.Store) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range modelTables {
		var n int64
		if err := s.DB().Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			out[table] = n
		}
	}
	return out
}

// logged reads a delivery's event log row.
func logged(t *testing.T, s *models.Store, id uint64) models.RawEvent {
	t.Helper()
	raw, err := s.Event(context.Background(), id)
	if err != nil {
		t.Fatalf("event %d: %v", id, err)
	}
	return raw
}

// checkLogOnly checks a delivery was kept in the log only, with the
// over-long id named in its problems and the log row's indexed columns
// within the bound.
func checkLogOnly(t *testing.T, s *models.Store, res models.Result, name string, body []byte) models.RawEvent {
	t.Helper()
	if res.Outcome != models.OutcomeStored || res.EventID == 0 {
		t.Errorf("%s: outcome %q, event %d; want outcome %q", name, res.Outcome, res.EventID, models.OutcomeStored)
	}
	raw := logged(t, s, res.EventID)
	if raw.Outcome != models.OutcomeStored || !strings.Contains(raw.Detail, name+" is ") ||
		!strings.Contains(raw.Detail, "over the 256-byte limit") || !strings.Contains(raw.Detail, "kept in the log only") {
		t.Errorf("%s: logged with outcome %q and detail %q", name, raw.Outcome, raw.Detail)
	}
	if len(raw.MeetingID) > models.MaxIDLength || raw.ProviderEventID != nil && len(*raw.ProviderEventID) > models.MaxIDLength {
		t.Errorf("%s: the log row indexes %d bytes of meeting id", name, len(raw.MeetingID))
	}
	if body != nil && string(raw.Body) != string(body) {
		t.Errorf("%s: the body was not kept whole", name)
	}
	return raw
}

// TestOverlongIDsKeptInLogOnly: deliveries whose meeting, session,
// participant or provider event id is far longer than any provider's (3,000
// random bytes, past PostgreSQL's index row limit) are committed with the
// deliveries batched with them, kept in the event log with the problem
// noted, and change no model; the normal delivery in the batch is applied.
// A redelivery of the over-long provider event id is still a duplicate.
func TestOverlongIDsKeptInLogOnly(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		long := longID(t, 3000)
		euros := strings.Repeat("€", 1000) // 3,000 bytes of 3-byte runes
		dailyBody, _ := json.Marshal(map[string]any{"version": "1.0.0", "type": "meeting.started", "id": long,
			"payload": map[string]any{"room": "m-event", "meeting_id": "s", "start_ts": 1717000000}, "event_ts": 1717000001})
		dailyEv, err := daily.Decode(dailyBody)
		if err != nil {
			t.Fatal(err)
		}
		dailyDelivery := models.Delivery{Provider: daily.Provider, Body: dailyBody, ReceivedAt: time.Now().UTC(), Event: dailyEv}
		ds := []models.Delivery{
			decodeDelivery(t, body("participant-joined", map[string]any{"meetingId": "ok", "sessionId": "s", "participantId": "p", "participantName": "Ann"})),
			decodeDelivery(t, body("session-started", map[string]any{"meetingId": long, "sessionId": "s"})),
			decodeDelivery(t, body("participant-joined", map[string]any{"meetingId": "m-session", "sessionId": long, "participantId": "p"})),
			decodeDelivery(t, body("participant-joined", map[string]any{"meetingId": "m-partic", "sessionId": "s", "participantId": long})),
			dailyDelivery,
			decodeDelivery(t, body("session-started", map[string]any{"meetingId": euros, "sessionId": "s"})),
		}
		res := commitBatch(t, s, ds)
		if res[0].Outcome != models.OutcomeApplied {
			t.Errorf("the normal delivery: outcome %q", res[0].Outcome)
		}
		if p := detail(t, s, "ok").Participants; len(p) != 1 || !p[0].Present || p[0].Name != "Ann" {
			t.Errorf("the normal delivery's participant: %+v", p)
		}
		for i, name := range []string{"", "meeting id", "session id", "participant id", "provider event id", "meeting id"} {
			if name != "" {
				checkLogOnly(t, s, res[i], name, ds[i].Body)
			}
		}

		// The log row holds the start of the id, cut at a character
		// boundary, so a prefix filter finds it.
		if raw := logged(t, s, res[1].EventID); raw.MeetingID != long[:models.MaxIDLength] || res[1].MeetingID != raw.MeetingID {
			t.Errorf("logged meeting id %d bytes, result's %d bytes; want the first %d of the id", len(raw.MeetingID), len(res[1].MeetingID), models.MaxIDLength)
		}
		if raw := logged(t, s, res[5].EventID); !utf8.ValidString(raw.MeetingID) || !strings.HasPrefix(euros, raw.MeetingID) ||
			len(raw.MeetingID) != models.MaxIDLength/3*3 {
			t.Errorf("logged meeting id of 3-byte runes: %d bytes, valid UTF-8 %v", len(raw.MeetingID), utf8.ValidString(raw.MeetingID))
		}
		if evs, err := s.ListEvents(context.Background(), models.EventFilter{MeetingPrefix: long[:40]}); err != nil || len(evs) != 1 || evs[0].ID != res[1].EventID {
			t.Errorf("events by the id's prefix: %d, %v", len(evs), err)
		}

		// No model row holds an over-long id, or anything of the deliveries
		// kept in the log only.
		var meetings []string
		s.DB().Model(&models.Meeting{}).Order("meeting_id").Pluck("meeting_id", &meetings)
		if len(meetings) != 1 || meetings[0] != "ok" {
			t.Errorf("meetings: %d, want only %q", len(meetings), "ok")
		}
		for _, c := range []struct{ table, column string }{{"sessions", "session_id"}, {"participants", "participant_id"}, {"participants", "session_id"}} {
			var n int64
			s.DB().Table(c.table).Where("LENGTH("+c.column+") > ?", models.MaxIDLength).Count(&n)
			if n != 0 {
				t.Errorf("%d %s with an over-long %s", n, c.table, c.column)
			}
		}
		if rows := modelRows(t, s); rows["sessions"] != 1 || rows["participants"] != 1 {
			t.Errorf("model rows: %v, want the normal delivery's only", rows)
		}

		// The provider event id is still deduplicated.
		again, err := s.Ingest(context.Background(), dailyDelivery)
		if err != nil || again.Outcome != models.OutcomeDuplicate || again.EventID != res[4].EventID {
			t.Errorf("redelivery of the over-long event id: outcome %q, event %d, %v; want a duplicate of event %d",
				again.Outcome, again.EventID, err, res[4].EventID)
		}
	})
}

// TestEveryIndexedIDBounded: each id or key of an event that the models
// index, 3,000 random bytes long, keeps the delivery in the log only and
// changes no model; ids of exactly MaxIDLength bytes are applied, and so is
// a long participant name, which no index holds.
func TestEveryIndexedIDBounded(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		long := longID(t, 3000)
		stage := models.StageStarted
		for _, c := range []struct {
			name string
			ev   models.Event
		}{
			{"provider event id", models.Event{ProviderEventID: long, MeetingID: "m", Session: &models.SessionChange{}}},
			{"meeting id", models.Event{MeetingID: long, SessionID: "s", Session: &models.SessionChange{}}},
			{"session id", models.Event{MeetingID: "m", SessionID: long, Session: &models.SessionChange{}}},
			{"participant id", models.Event{MeetingID: "m", SessionID: "s", Participant: &models.ParticipantChange{ParticipantID: long}}},
			{"recording key", models.Event{MeetingID: "m", Recording: &models.RecordingChange{Kind: models.RecordingMeeting, Key: long, Stage: stage}}},
			{"recording instance id", models.Event{MeetingID: "m", Recording: &models.RecordingChange{Kind: models.RecordingMeeting, InstanceID: long, Stage: stage}}},
			{"stream key", models.Event{MeetingID: "m", Stream: &models.StreamChange{Kind: models.StreamHLS, Key: long, Stage: stage}}},
			{"transcription key", models.Event{MeetingID: "m", Transcription: &models.TranscriptionChange{Kind: models.KindTranscription, Key: long, Stage: stage}}},
			{"call id", models.Event{MeetingID: "m", Call: &models.CallChange{CallID: long, Step: "call-answered"}}},
			{"call step", models.Event{MeetingID: "m", Call: &models.CallChange{CallID: "c", Step: long}}},
			{"call status", models.Event{MeetingID: "m", Call: &models.CallChange{CallID: "c", Step: "call-answered", Status: long}}},
			{"call step time", models.Event{MeetingID: "m", Call: &models.CallChange{CallID: "c", Step: "call-answered", AtText: long}}},
			{"agent session id", models.Event{MeetingID: "m", Agent: &models.AgentChange{Kind: models.AgentSessionKind, AgentSession: long, Stage: stage}}},
			{"batch call id", models.Event{BatchCall: &models.BatchCallChange{BatchID: long, Stage: stage}}},
			{"resource id", models.Event{Resource: &models.ResourceChange{ResourceID: long, Stage: stage}}},
			{"knowledge base id", models.Event{KnowledgeBase: &models.KnowledgeBaseChange{KnowledgeBaseID: long, Stage: stage}}},
			{"knowledge base record id", models.Event{KnowledgeBase: &models.KnowledgeBaseChange{KnowledgeBaseID: "k", RecordID: long, Stage: stage}}},
		} {
			c.ev.Type = "test-" + strings.ReplaceAll(c.name, " ", "-")
			d := synthetic("videosdk", c.ev)
			res, err := s.Ingest(context.Background(), d)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			res = applied(t, s, res)
			checkLogOnly(t, s, res, c.name, d.Body)
			if rows := modelRows(t, s); len(rows) != 0 {
				t.Errorf("%s: model rows %v, want none", c.name, rows)
			}
		}

		at := longID(t, models.MaxIDLength)
		res, err := s.Ingest(context.Background(), synthetic("videosdk", models.Event{Type: "participant-joined", MeetingID: at, SessionID: at,
			Participant: &models.ParticipantChange{ParticipantID: at, Name: long}}))
		if err == nil {
			res = applied(t, s, res)
		}
		if err != nil || res.Outcome != models.OutcomeApplied {
			t.Fatalf("ids of exactly %d bytes: outcome %q, %v", models.MaxIDLength, res.Outcome, err)
		}
		if p := detail(t, s, at).Participants; len(p) != 1 || p[0].ParticipantID != at || p[0].Name != long {
			t.Errorf("participant at the limit: %d rows", len(p))
		}
	})
}
