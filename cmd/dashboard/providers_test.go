package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	mrand "math/rand"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models/dbtest"
)

// storyFixtures reads a provider's fixture files in the order its story
// happened (by the envelope time field).
func storyFixtures(t *testing.T, dir, timeKey string) [][]byte {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join("../../handlers/webhooks", dir, "testdata", "*.json"))
	type fx struct {
		at   string
		body []byte
	}
	var all []fx
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		var env map[string]any
		json.Unmarshal(b, &env)
		if env[timeKey] == nil {
			continue // Daily's test request
		}
		all = append(all, fx{fmt.Sprintf("%020v", env[timeKey]), b})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].at < all[j].at })
	out := make([][]byte, len(all))
	for i, f := range all {
		out[i] = f.body
	}
	if len(out) < 20 {
		t.Fatalf("only %d %s fixtures", len(out), dir)
	}
	return out
}

// dailySigner signs bodies as Daily does with a fresh secret.
type dailySigner struct{ key []byte }

func newDailySigner(t *testing.T) (dailySigner, string) {
	key := make([]byte, 32)
	rand.Read(key)
	return dailySigner{key}, base64.StdEncoding.EncodeToString(key)
}

func (d dailySigner) headers(body []byte, at time.Time) map[string]string {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, d.key)
	mac.Write([]byte(ts + "." + string(body)))
	return map[string]string{"X-Webhook-Timestamp": ts, "X-Webhook-Signature": base64.StdEncoding.EncodeToString(mac.Sum(nil))}
}

func (s *server) postTo(t *testing.T, provider string, body []byte, header map[string]string) reply {
	t.Helper()
	return s.do(t, http.MethodPost, "/webhooks/"+provider, body, header)
}

// TestDailyWebhooks posts every documented Daily event for a room, in
// order and then shuffled with redeliveries into a second database, and
// reads the room back: the same room, with its participants, recording,
// stream and calls, either way.
func TestDailyWebhooks(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		signer, secret := newDailySigner(t)
		s := start(t, map[string]string{"DATABASE_URL": url, "DAILY_WEBHOOK_SECRET": secret})
		if r := s.postTo(t, "daily", []byte(`{"test":"test"}`), nil); r.Status != 200 {
			t.Errorf("test request: %d %s", r.Status, r.Raw)
		}
		if evs, _ := s.do(t, "GET", "/api/events", nil, nil).Body["events"].([]any); len(evs) != 0 {
			t.Errorf("the test request was stored: %v", evs)
		}
		bodies := storyFixtures(t, "daily", "event_ts")
		for _, b := range bodies {
			if r := s.postTo(t, "daily", b, signer.headers(b, time.Now())); r.Status != 200 {
				t.Fatalf("POST %s: %d %s", b, r.Status, r.Raw)
			}
		}
		room := s.do(t, "GET", "/api/meetings/consult-42", nil, nil)
		checkDailyRoom(t, room)

		// Shuffled, with every delivery sent twice, into a fresh database.
		s2 := start(t, map[string]string{"DATABASE_URL": freshDB(t, url), "DAILY_WEBHOOK_SECRET": secret})
		rng := mrand.New(mrand.NewSource(3))
		shuffled := append(append([][]byte{}, bodies...), bodies...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		dups := 0
		for _, b := range shuffled {
			r := s2.postTo(t, "daily", b, signer.headers(b, time.Now()))
			if r.Status != 200 {
				t.Fatalf("POST %s: %d %s", b, r.Status, r.Raw)
			}
			if r.Body["outcome"] == "duplicate" {
				dups++
			}
		}
		if dups != len(bodies) {
			t.Errorf("%d redeliveries marked duplicate, want %d", dups, len(bodies))
		}
		if a, b := apiShape(t, room), apiShape(t, s2.do(t, "GET", "/api/meetings/consult-42", nil, nil)); a != b {
			t.Errorf("shuffled with redeliveries, the room differs:\nin order %s\nshuffled %s", a, b)
		}
	})
}

func checkDailyRoom(t *testing.T, r reply) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("room: %d %s", r.Status, r.Raw)
	}
	var d struct {
		Meeting      struct{ Provider string }
		Sessions     []struct{ SessionID, Status string }
		Participants []struct {
			Name, Role  string
			Present     bool
			Attendances []struct{ JoinedAt, LeftAt *time.Time }
		}
		Recordings []struct {
			ID, InstanceID, Status, Message string
			Files                           []struct{ Path string }
		}
		Streams []struct{ ID, Status, Message string }
		Calls   []struct {
			CallID, Direction, Status string
			Steps                     []struct{ Step, Status, Detail string }
		}
		Transcriptions []struct{ Status string }
	}
	if err := json.Unmarshal([]byte(r.Raw), &d); err != nil {
		t.Fatal(err)
	}
	if d.Meeting.Provider != "daily" || len(d.Sessions) != 1 || d.Sessions[0].SessionID != "5b1c6a0e-8a51-4b7e-9f00-1d2e3f4a5b6c" ||
		d.Sessions[0].Status != "ended" {
		t.Errorf("meeting and sessions: %+v %+v", d.Meeting, d.Sessions)
	}
	if len(d.Participants) != 1 || d.Participants[0].Name != "Dr Lee" || d.Participants[0].Role != "owner" || d.Participants[0].Present ||
		len(d.Participants[0].Attendances) != 1 || d.Participants[0].Attendances[0].LeftAt == nil {
		t.Errorf("participants: %+v", d.Participants)
	}
	if len(d.Recordings) != 1 || d.Recordings[0].InstanceID == "" || d.Recordings[0].ID == "" || d.Recordings[0].Status != "failed" ||
		len(d.Recordings[0].Files) < 2 {
		t.Errorf("recordings (started, error and ready-to-download are one): %+v", d.Recordings)
	}
	if len(d.Streams) != 1 || d.Streams[0].Status != "failed" || d.Streams[0].Message == "" {
		t.Errorf("streams: %+v", d.Streams)
	}
	if len(d.Transcriptions) != 1 {
		t.Errorf("transcriptions: %+v", d.Transcriptions)
	}
	steps := map[string]int{}
	for _, c := range d.Calls {
		for _, s := range c.Steps {
			steps[s.Step]++
		}
	}
	if len(d.Calls) != 4 || steps["calltransfer.completed"] != 1 || steps["dialout.answered"] != 1 || steps["dialin.connected"] != 1 {
		t.Errorf("calls: %d %v", len(d.Calls), steps)
	}
}

// TestDailySignatures checks bad, missing and stale signatures get 401 and
// are not stored.
func TestDailySignatures(t *testing.T) {
	signer, secret := newDailySigner(t)
	other, _ := newDailySigner(t)
	s := start(t, map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "d.db"), "DAILY_WEBHOOK_SECRET": secret})
	b, _ := os.ReadFile("../../handlers/webhooks/daily/testdata/participant.joined.json")
	for _, c := range []struct {
		name   string
		header map[string]string
		status int
	}{
		{"missing", nil, 401},
		{"other secret", other.headers(b, time.Now()), 401},
		{"stale", signer.headers(b, time.Now().Add(-6*time.Minute)), 401},
		{"future", signer.headers(b, time.Now().Add(6*time.Minute)), 401},
		{"good", signer.headers(b, time.Now()), 200},
		{"redelivery", signer.headers(b, time.Now()), 200},
	} {
		if r := s.postTo(t, "daily", b, c.header); r.Status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Raw, c.status)
		}
	}
	if evs, _ := s.do(t, "GET", "/api/events", nil, nil).Body["events"].([]any); len(evs) != 1 {
		t.Errorf("%d events stored, want 1", len(evs))
	}
}

// TestIotumWebhooks posts every documented iotum event with the signing
// token and reads the conference back; a wrong token gets 401 and a
// double-encoded payload that is not JSON gets 400, disturbing nothing.
func TestIotumWebhooks(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := start(t, map[string]string{"DATABASE_URL": url, "IOTUM_SIGNING_TOKEN": "tok-123"})
		token := map[string]string{"x-signing-token": "tok-123"}
		for _, b := range storyFixtures(t, "iotum", "timestamp") {
			if r := s.postTo(t, "iotum", b, token); r.Status != 200 {
				t.Fatalf("POST %s: %d %s", b, r.Status, r.Raw)
			}
		}
		b, _ := os.ReadFile("../../handlers/webhooks/iotum/testdata/enter_conference.json")
		for _, c := range []struct {
			name   string
			body   []byte
			header map[string]string
			status int
		}{
			{"no token", b, nil, 401},
			{"wrong token", b, map[string]string{"x-signing-token": "tok-124"}, 401},
			{"payload not JSON", []byte(`{"event":"enter_conference","payload":"{\"conference_id\":1258835,","timestamp":"2022-08-24T20:56:55.000Z"}`), token, 400},
		} {
			if r := s.postTo(t, "iotum", c.body, c.header); r.Status != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Raw, c.status)
			}
		}
		r := s.do(t, "GET", "/api/meetings/1258835", nil, nil)
		var d struct {
			Meeting        struct{ Provider string }
			Sessions       []struct{ Status string }
			Participants   []struct{ Role string }
			Recordings     []struct{ Files []struct{ URL string } }
			Streams        []struct{ Kind, Status string }
			Calls          []struct{ Steps []struct{ Status string } }
			Transcriptions []struct{ Status string }
		}
		json.Unmarshal([]byte(r.Raw), &d)
		if d.Meeting.Provider != "iotum" || len(d.Sessions) != 1 || d.Sessions[0].Status != "ended" {
			t.Errorf("conference: %s", r.Raw)
		}
		if len(d.Participants) == 0 || len(d.Recordings) != 1 || len(d.Recordings[0].Files) != 1 ||
			!strings.HasPrefix(d.Recordings[0].Files[0].URL, "https://") || len(d.Streams) != 2 || len(d.Transcriptions) != 1 {
			t.Errorf("conference content: %s", r.Raw)
		}
		if len(d.Calls) == 0 || len(d.Calls[0].Steps) < 2 {
			t.Errorf("dial-out call history: %+v", d.Calls)
		}
		// Events of no conference are in the log.
		if evs, _ := s.do(t, "GET", "/api/events?limit=100", nil, nil).Body["events"].([]any); len(evs) != 28 {
			t.Errorf("%d events in the log, want the 28 posted", len(evs))
		}
	})
}

// TestOverlongIDs: a VideoSDK webhook with a 3,000-byte random meeting id
// (past PostgreSQL's index row limit) and a Daily one with a 3,000-byte
// event id get 200 with outcome "stored", never 503: they are kept in the
// log only, with the problem noted, and no meeting is made of them. The
// Daily one sent again is a duplicate; a normal webhook after them is
// applied.
func TestOverlongIDs(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		signer, secret := newDailySigner(t)
		s := start(t, map[string]string{"DATABASE_URL": url, "DAILY_WEBHOOK_SECRET": secret})
		raw := make([]byte, 2250)
		rand.Read(raw)
		long := base64.RawURLEncoding.EncodeToString(raw) // 3,000 bytes
		video, _ := json.Marshal(map[string]any{"webhookType": "session-started", "data": map[string]any{"meetingId": long, "sessionId": "s"}})
		if r := s.post(t, video, nil); r.Status != http.StatusOK || s.applied(t, r) != "stored" {
			t.Errorf("VideoSDK, over-long meeting id: %d %.200s", r.Status, r.Raw)
		}
		daily, _ := json.Marshal(map[string]any{"version": "1.0.0", "type": "meeting.started", "id": long,
			"payload": map[string]any{"room": "long-event", "meeting_id": "s", "start_ts": 1717000000}, "event_ts": 1717000001})
		for i, want := range []string{"stored", "duplicate"} {
			if r := s.postTo(t, "daily", daily, signer.headers(daily, time.Now())); r.Status != http.StatusOK || s.applied(t, r) != want {
				t.Errorf("Daily, over-long event id, delivery %d: %d %.200s, want outcome %q", i+1, r.Status, r.Raw, want)
			}
		}
		if r := s.post(t, []byte(`{"webhookType":"session-started","data":{"meetingId":"fine","sessionId":"s"}}`), nil); r.Status != http.StatusOK ||
			s.applied(t, r) != "applied" {
			t.Errorf("a normal webhook after them: %d %s", r.Status, r.Raw)
		}
		events, _ := s.do(t, "GET", "/api/events", nil, nil).Body["events"].([]any)
		noted := 0
		for _, e := range events {
			if d, _ := e.(map[string]any)["detail"].(string); strings.Contains(d, "over the 256-byte limit: kept in the log only") {
				noted++
			}
		}
		if len(events) != 3 || noted != 2 {
			t.Errorf("%d events in the log, %d with the problem noted; want 3 and 2", len(events), noted)
		}
		if ms, _ := s.do(t, "GET", "/api/meetings", nil, nil).Body["meetings"].([]any); len(ms) != 1 {
			t.Errorf("%d meetings, want only the normal webhook's", len(ms))
		}
	})
}

// apiShape is an API answer with arrival-dependent times dropped and lists
// sorted, for comparing states reached in different orders.
func apiShape(t *testing.T, r reply) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(r.Raw), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(sortedShape(v))
	return string(b)
}

func sortedShape(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if strings.HasSuffix(k, "At") {
				delete(x, k)
			} else {
				x[k] = sortedShape(e)
			}
		}
	case []any:
		for i := range x {
			x[i] = sortedShape(x[i])
		}
		sort.Slice(x, func(i, j int) bool {
			a, _ := json.Marshal(x[i])
			b, _ := json.Marshal(x[j])
			return string(a) < string(b)
		})
	}
	return v
}

// freshDB is another empty database of the same kind as url.
func freshDB(t *testing.T, url string) string {
	if strings.HasPrefix(url, "postgres") {
		return dbtest.PostgresDSN(t)
	}
	return filepath.Join(t.TempDir(), "fresh.db")
}
