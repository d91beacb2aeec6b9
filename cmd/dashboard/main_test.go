package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

const fixtures = "../../handlers/webhooks/videosdk/testdata"

// server is the real dashboard program running in the test process.
type server struct {
	URL  string
	stop func()
}

// start runs the dashboard with args on a free port and returns once it
// prints its URL. env supplies environment variables.
func start(t testing.TB, env map[string]string, args ...string) *server {
	t.Helper()
	if env["DATABASE_URL"] == "" {
		t.Fatal("start: give the dashboard a DATABASE_URL of the test's own; the default, ./dashboard.db, would be shared by every run")
	}
	// The dashboard's log is shown if the test fails.
	logs := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dashboard log:\n%s", logs.String())
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), func(k string) string { return env[k] }, nil, pw, logs)
		pw.Close()
	}()
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Dashboard: "); ok {
				urls <- strings.TrimSuffix(u, "/")
			}
		}
	}()
	var s server
	select {
	case s.URL = <-urls:
	case err := <-done:
		cancel()
		t.Fatalf("dashboard exited: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("dashboard did not start")
	}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("dashboard: %v", err)
			}
		})
	}
	t.Cleanup(s.stop)
	return &s
}

// syncBuffer is a bytes.Buffer safe for the dashboard's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type reply struct {
	Status int
	Body   map[string]any
	Raw    string
}

// metrics reads the server's /metrics text.
func (s *server) metrics(t *testing.T) string {
	t.Helper()
	_, text := get(t, http.DefaultClient, s.URL+"/metrics", nil)
	return text
}

func (s *server) do(t *testing.T, method, path string, body []byte, header map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{Status: resp.StatusCode, Raw: string(raw)}
	if err := json.Unmarshal(raw, &r.Body); err != nil {
		t.Errorf("%s %s: answer is not a JSON object: %q", method, path, raw)
	}
	return r
}

// applied is the outcome of applying the delivery an answer accepted (the
// answer's own outcome for a duplicate), read from the event log once the
// models have taken it in.
func (s *server) applied(t *testing.T, r reply) string {
	t.Helper()
	if r.Body["outcome"] != "accepted" {
		o, _ := r.Body["outcome"].(string)
		return o
	}
	id, _ := r.Body["eventId"].(float64)
	e := s.do(t, "GET", fmt.Sprintf("/api/events/%d", int64(id)), nil, nil)
	o, _ := e.Body["outcome"].(string)
	return o
}

func (s *server) post(t *testing.T, body []byte, header map[string]string) reply {
	t.Helper()
	return s.do(t, http.MethodPost, "/webhooks/videosdk", body, header)
}

func v2Fixtures(t *testing.T) [][]byte {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(fixtures, "v2", "*.json"))
	sort.Strings(names)
	if len(names) < 60 {
		t.Fatalf("only %d v2 fixtures", len(names))
	}
	out := make([][]byte, len(names))
	for i, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

// TestWebhooksToAPI posts every v2 example to the running program, reads
// it back through the API, restarts the program on the same database and
// reads it again.
func TestWebhooksToAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := start(t, map[string]string{"DATABASE_URL": url})
		bodies := v2Fixtures(t)
		for _, b := range bodies {
			if r := s.post(t, b, nil); r.Status != http.StatusOK || r.Body["eventId"] == nil {
				t.Fatalf("POST %s: %d %s", b, r.Status, r.Raw)
			}
		}
		first := s.do(t, "GET", "/api/meetings/jvsg-8rjn-j304", nil, nil)
		checkMeeting(t, first)

		list := s.do(t, "GET", "/api/meetings?meeting=jvsg", nil, nil)
		if ms, _ := list.Body["meetings"].([]any); len(ms) != 1 {
			t.Errorf("meeting list for prefix jvsg: %s", list.Raw)
		}
		if none := s.do(t, "GET", "/api/meetings?meeting=zzz", nil, nil); !strings.Contains(none.Raw, `"meetings":[]`) {
			t.Errorf("meeting list for an unknown prefix: %s", none.Raw)
		}
		events := s.do(t, "GET", "/api/events?meeting=jvsg-8rjn-j304&limit=500", nil, nil)
		// Every example names the meeting (meetingId, or roomId for calls and
		// composite recordings) but the knowledgebase, resource, batchcall
		// and agent-session-stopping/stopped ones.
		if evs, _ := events.Body["events"].([]any); len(evs) != len(bodies)-9 {
			t.Errorf("%d events for the meeting, want %d", len(evs), len(bodies)-9)
		}
		if r := s.do(t, "GET", "/api/meetings/nope", nil, nil); r.Status != http.StatusNotFound {
			t.Errorf("unknown meeting: %d %s", r.Status, r.Raw)
		}
		newest := s.do(t, "GET", "/api/meetings/jvsg-8rjn-j304?limit=1", nil, nil)
		if rs, _ := newest.Body["recordings"].([]any); len(rs) != 1 || !strings.Contains(newest.Raw, `"totals":{"sessions":2,"participants":1,"recordings":6,`) {
			t.Errorf("the newest row of each kind: %s", newest.Raw)
		}
		if all := s.do(t, "GET", "/api/meetings/jvsg-8rjn-j304?limit=0", nil, nil); all.Raw != first.Raw {
			t.Errorf("limit=0 is not everything: %s", all.Raw)
		}
		for _, path := range []string{"/api/meetings?limit=ten", "/api/meetings?meeting=jvsg&offset=-1", "/api/events?before=x",
			"/api/events?limit=1e3", "/api/meetings/jvsg-8rjn-j304?limit=-5"} {
			if r := s.do(t, "GET", path, nil, nil); r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, "must be a whole number from 0") {
				t.Errorf("%s: %d %s, want 400 naming the parameter", path, r.Status, r.Raw)
			}
		}

		s.stop()
		again := start(t, map[string]string{"DATABASE_URL": url})
		second := again.do(t, "GET", "/api/meetings/jvsg-8rjn-j304", nil, nil)
		if first.Raw != second.Raw {
			t.Errorf("after a restart the meeting reads differently:\n%s\n%s", first.Raw, second.Raw)
		}
	})
}

// checkMeeting spot-checks the API's view of the v2 examples; the store
// tests check every field.
func checkMeeting(t *testing.T, r reply) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("GET meeting: %d %s", r.Status, r.Raw)
	}
	count := func(key string) int { l, _ := r.Body[key].([]any); return len(l) }
	for key, want := range map[string]int{"sessions": 2, "participants": 1, "recordings": 6, "streams": 2, "transcriptions": 2, "calls": 1, "agents": 2} {
		if got := count(key); got != want {
			t.Errorf("%s: %d, want %d", key, got, want)
		}
	}
	for _, url := range []string{
		"https://cdn.videosdk.live/encoded/videos/62d148951a1eb20029fc9b05.mp4",
		"https://cdn.videosdk.live/encoded/videos/62d148951a1eb20029fc9b05.key.enc",
		"https://cdn.videosdk.live/encoded/videos/62d148951a1eb20029fc9b05.meta.json",
		"https://cdn.videosdk.live/meetings-hls/b8a770ef-d713-4a27-9ab7-e5a0b724caaf/index.m3u8",
		"https://cdn.videosdk.live/meetings-hls/b8a770ef-d713-4a27-9ab7-e5a0b724caaf/livestream.m3u8",
	} {
		if !strings.Contains(r.Raw, url) {
			t.Errorf("meeting lacks %s", url)
		}
	}
}

// TestBadInput checks each kind of bad delivery gets its answer, and that
// none of them disturbs what is stored.
func TestBadInput(t *testing.T) {
	s := start(t, map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "d.db")}, "-body-limit", "64k")
	good, _ := os.ReadFile(filepath.Join(fixtures, "v2", "participant-joined.json"))
	if r := s.post(t, good, nil); r.Status != http.StatusOK {
		t.Fatalf("good delivery: %d %s", r.Status, r.Raw)
	}
	cases := []struct {
		name   string
		body   []byte
		status int
		error  string
	}{
		{"not JSON", []byte("hello"), 400, "not a JSON object"},
		{"empty", nil, 400, "not a JSON object"},
		{"array", []byte(`[1,2]`), 400, "not a JSON object"},
		{"no webhookType", []byte(`{"data":{"meetingId":"x"}}`), 400, "webhookType"},
		{"webhookType not a string", []byte(`{"webhookType":7}`), 400, "webhookType"},
		{"truncated", good[:len(good)/2], 400, "not a JSON object"},
		{"over the limit", append([]byte(`{"webhookType":"x","data":"`), bytes.Repeat([]byte("a"), 70<<10)...), 413, "64 KiB"},
	}
	for _, c := range cases {
		r := s.post(t, c.body, nil)
		if msg, _ := r.Body["error"].(string); r.Status != c.status || !strings.Contains(msg, c.error) {
			t.Errorf("%s: %d %s, want %d with an error mentioning %q", c.name, r.Status, r.Raw, c.status, c.error)
		}
	}
	for _, c := range []struct{ name, body, outcome string }{
		{"unknown type", `{"webhookType":"meeting-teleported","data":{"meetingId":"jvsg-8rjn-j304"}}`, "stored"},
		{"wrong field types", `{"webhookType":"participant-joined","data":{"meetingId":"jvsg-8rjn-j304","sessionId":"613731342f27f56e4fc4b6d0","participantId":42,"participantName":true}}`, "applied"},
	} {
		if r := s.post(t, []byte(c.body), nil); r.Status != 200 || s.applied(t, r) != c.outcome {
			t.Errorf("%s: %d %s (applied: %s), want 200 %s", c.name, r.Status, r.Raw, s.applied(t, r), c.outcome)
		}
	}
	events := s.do(t, "GET", "/api/events", nil, nil)
	if evs, _ := events.Body["events"].([]any); len(evs) != 3 {
		t.Errorf("event log holds %d events, want the 3 valid ones: %s", len(evs), events.Raw)
	}
	if !strings.Contains(events.Raw, "participantName: expected a string, got a boolean") {
		t.Errorf("the wrong-typed field is not noted in the log: %s", events.Raw)
	}
	m := s.do(t, "GET", "/api/meetings/jvsg-8rjn-j304", nil, nil)
	if ps, _ := m.Body["participants"].([]any); len(ps) != 2 {
		t.Errorf("participants after bad input: %s", m.Raw)
	}
	if r := s.do(t, "GET", "/nowhere", nil, nil); r.Status != 404 || r.Body["error"] == nil {
		t.Errorf("unknown route: %d %s", r.Status, r.Raw)
	}
	metrics := s.metrics(t)
	for _, want := range []string{
		`meetboard_webhooks_total{outcome="malformed",provider="videosdk",type="unknown"} 6`,
		`meetboard_webhooks_total{outcome="too-large",provider="videosdk",type="unknown"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s:\n%s", want, grepLines(metrics, "webhooks_total"))
		}
	}
}

// TestSignature checks that with a public key configured only deliveries
// signed with its private key are accepted.
func TestSignature(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	sign := func(k *rsa.PrivateKey, b []byte) string {
		sum := sha256.Sum256(b)
		sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(sig)
	}
	keyFile := filepath.Join(t.TempDir(), "videosdk.pem")
	os.WriteFile(keyFile, []byte(pemText), 0o600)
	for name, env := range map[string]map[string]string{
		"env":  {"VIDEOSDK_WEBHOOK_PUBLIC_KEY": strings.ReplaceAll(pemText, "\n", `\n`)},
		"file": {"VIDEOSDK_WEBHOOK_PUBLIC_KEY_FILE": keyFile},
	} {
		t.Run(name, func(t *testing.T) {
			env["DATABASE_URL"] = filepath.Join(t.TempDir(), "d.db")
			s := start(t, env)
			b, _ := os.ReadFile(filepath.Join(fixtures, "v2", "participant-joined.json"))
			for _, c := range []struct {
				name   string
				header map[string]string
				status int
			}{
				{"unsigned", nil, 401},
				{"garbage", map[string]string{"videosdk-signature": "!!!"}, 401},
				{"other key", map[string]string{"videosdk-signature": sign(other, b)}, 401},
				{"other body", map[string]string{"videosdk-signature": sign(key, append(b, ' '))}, 401},
				{"good", map[string]string{"videosdk-signature": sign(key, b)}, 200},
			} {
				if r := s.post(t, b, c.header); r.Status != c.status {
					t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Raw, c.status)
				}
			}
			events := s.do(t, "GET", "/api/events", nil, nil)
			if evs, _ := events.Body["events"].([]any); len(evs) != 1 {
				t.Errorf("rejected deliveries were stored: %s", events.Raw)
			}
		})
	}
}

// TestDatabaseDown drops the PostgreSQL database under the running
// program: deliveries must get 503, never 200.
func TestDatabaseDown(t *testing.T) {
	url := dbtest.PostgresDSN(t)
	s := start(t, map[string]string{"DATABASE_URL": url})
	b, _ := os.ReadFile(filepath.Join(fixtures, "v2", "participant-joined.json"))
	if r := s.post(t, b, nil); r.Status != 200 {
		t.Fatalf("before: %d %s", r.Status, r.Raw)
	}
	if err := dbtest.Drop(url); err != nil {
		t.Fatal(err)
	}
	r := s.post(t, b, nil)
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(fmt.Sprint(r.Body["error"]), "retry") {
		t.Errorf("with the database gone: %d %s, want 503", r.Status, r.Raw)
	}
	if r := s.do(t, "GET", "/readyz", nil, nil); r.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database gone: %d %s", r.Status, r.Raw)
	}
}
