package main

import (
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
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/videosdk"
)

// recorder is a dashboard stand-in that keeps every request it gets.
type recorder struct {
	mu     sync.Mutex
	reqs   []request
	answer func(n int) int // status for the n-th request (0-based); -1 drops the connection
	// retryAfter, when set, is sent as Retry-After with every answer but 200.
	retryAfter string
}

type request struct {
	body   []byte
	sig    string
	ctype  string
	status int
	at     time.Time // when it arrived
}

func newRecorder(t *testing.T, answer func(n int) int) (*recorder, *httptest.Server) {
	rec := &recorder{answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/webhooks/videosdk" {
			t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		}
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		status := http.StatusOK
		if rec.answer != nil {
			status = rec.answer(len(rec.reqs))
		}
		rec.reqs = append(rec.reqs, request{body, r.Header.Get("videosdk-signature"), r.Header.Get("Content-Type"), status, time.Now()})
		retryAfter := rec.retryAfter
		rec.mu.Unlock()
		if status < 0 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		if status != http.StatusOK && retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return rec, srv
}

func (rec *recorder) requests() []request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.reqs)
}

func testConfig(url string) config {
	c := defaults()
	c.url, c.rooms, c.rate, c.count, c.seed = url, 3, 2000, 300, 42
	c.every, c.grace = time.Hour, 10*time.Second
	c.retryBase, c.retryMax = 5*time.Millisecond, 50*time.Millisecond
	return c
}

func runSim(t *testing.T, ctx context.Context, cfg config) (summary, string) {
	t.Helper()
	var out bytes.Buffer
	sum, err := run(ctx, cfg, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	return sum, out.String()
}

type parsed struct {
	Type string                     `json:"webhookType"`
	Data map[string]json.RawMessage `json:"data"`
}

func (p parsed) str(key string) string {
	var s string
	_ = json.Unmarshal(p.Data[key], &s)
	return s
}

func parse(t *testing.T, body []byte) parsed {
	t.Helper()
	var p parsed
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("body is not a JSON object with an object data: %v\n%s", err, body)
	}
	if p.Type == "" || p.Data == nil {
		t.Fatalf("body has no webhookType or data object: %s", body)
	}
	return p
}

// fixtureKeys reads the data keys of the documented example of a type, and
// of its nested objects as "parent.key".
func fixtureKeys(t *testing.T, typ string, cache map[string]map[string]bool) map[string]bool {
	t.Helper()
	if k, ok := cache[typ]; ok {
		return k
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "handlers", "webhooks", "videosdk", "testdata", "v2", typ+".json"))
	if err != nil {
		t.Fatalf("no documented example for %q: %v", typ, err)
	}
	var doc struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	cache[typ] = keysOf(doc.Data)
	return cache[typ]
}

func keysOf(data map[string]json.RawMessage) map[string]bool {
	keys := map[string]bool{}
	for k, v := range data {
		keys[k] = true
		var obj map[string]json.RawMessage
		var list []map[string]json.RawMessage
		if json.Unmarshal(v, &obj) == nil {
			for sub := range obj {
				keys[k+"."+sub] = true
			}
		} else if json.Unmarshal(v, &list) == nil && len(list) > 0 {
			for sub := range list[0] {
				keys[k+"[]."+sub] = true
			}
		}
	}
	return keys
}

// optional are the documented keys sent only when they apply.
var optional = map[string]bool{"message": true, "encryption": true, "encryption.keyUrl": true, "encryption.metaUrl": true}

func checkShape(t *testing.T, body []byte, cache map[string]map[string]bool) parsed {
	t.Helper()
	p := parse(t, body)
	want := fixtureKeys(t, p.Type, cache)
	got := keysOf(p.Data)
	for k := range got {
		if !want[k] {
			t.Errorf("%s: key %q is not in the documented example: %s", p.Type, k, body)
		}
	}
	for k := range want {
		if !got[k] && !optional[k] {
			t.Errorf("%s: documented key %q is missing: %s", p.Type, k, body)
		}
	}
	ev, err := videosdk.Decode(body)
	// A documented failure without a message is noted as such, and only that.
	if err != nil || len(ev.Problems) > 1 || len(ev.Problems) == 1 && ev.Problems[0] != videosdk.NoReason {
		t.Errorf("%s: decode: %v %v", p.Type, err, ev.Problems)
	}
	return p
}

func TestBodiesMatchDocsAndRoomsClose(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	cfg := testConfig(srv.URL)
	cfg.fail = 0.3
	sum, out := runSim(t, context.Background(), cfg)
	reqs := rec.requests()
	if len(reqs) != sum.Sent || sum.Status[200] != sum.Sent || sum.Webhooks < cfg.count {
		t.Errorf("server saw %d requests; summary %s", len(reqs), sum)
	}
	cache := map[string]map[string]bool{}
	types := map[string]int{}
	started, ended := map[string]bool{}, map[string]bool{}
	for _, r := range reqs {
		if r.ctype != "application/json" {
			t.Errorf("Content-Type %q", r.ctype)
		}
		p := checkShape(t, r.body, cache)
		types[p.Type]++
		switch p.Type {
		case "session-started":
			started[p.str("sessionId")] = true
		case "session-ended":
			ended[p.str("sessionId")] = true
			if !strings.HasPrefix(p.str("meetingId"), "demo-") || len(p.str("sessionId")) != 24 {
				t.Errorf("ids: %s", r.body)
			}
		}
	}
	if len(started) < cfg.rooms || !mapsEqual(started, ended) {
		t.Errorf("sessions started %v, ended %v", started, ended)
	}
	for _, typ := range []string{"participant-joined", "participant-left", "recording-started", "recording-stopped",
		"hls-playable", "transcription-started", "participant-track-recording-stopped", "agent-session-stopped", "call-started"} {
		if types[typ] == 0 {
			t.Errorf("no %s in the mix: %v", typ, types)
		}
	}
	if !strings.Contains(out, "open "+srv.URL+"/ to watch") || !strings.Contains(out, "simulate: done after") {
		t.Errorf("output:\n%s", out)
	}
	t.Logf("%d requests, types %v\n%s", len(reqs), types, out)
}

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// TestLifecycles sends in order (one worker, no duplicates or reordering)
// and checks each room's story: session-started first, session-ended last,
// participants alternate joined/left and are all gone at the end, and every
// job reaches an end first.
func TestLifecycles(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	cfg := testConfig(srv.URL)
	cfg.workers, cfg.dup, cfg.reorder, cfg.count = 1, 0, 0, 1500
	runSim(t, context.Background(), cfg)

	type sess struct {
		ended   bool
		present map[string]bool
		jobs    map[string]string // job key -> last stage
	}
	sessions := map[string]*sess{}
	agents := map[string]string{} // agent session -> last stage
	calls := map[string]string{}
	for _, r := range rec.requests() {
		p := parse(t, r.body)
		stage := p.Type[strings.LastIndexByte(p.Type, '-')+1:]
		switch {
		case strings.HasPrefix(p.Type, "agent-session-"):
			if id := p.str("sessionId"); id != "" {
				agents[id] = stage
			}
			continue
		case strings.HasPrefix(p.Type, "call-"):
			calls[p.str("callId")] = stage
			continue
		}
		id := p.str("sessionId")
		s := sessions[id]
		if p.Type == "session-started" {
			if s != nil {
				t.Fatalf("session %s started twice", id)
			}
			sessions[id] = &sess{present: map[string]bool{}, jobs: map[string]string{}}
			continue
		}
		if s == nil || s.ended {
			t.Fatalf("%s outside its session: %s", p.Type, r.body)
		}
		switch {
		case p.Type == "participant-joined" || p.Type == "participant-left":
			pid, joined := p.str("participantId"), p.Type == "participant-joined"
			if s.present[pid] == joined {
				t.Fatalf("%s twice in a row: %s", p.Type, r.body)
			}
			s.present[pid] = joined
		case p.Type == "session-ended":
			for pid, in := range s.present {
				if in {
					t.Errorf("session %s ended with %s present", id, pid)
				}
			}
			for key, last := range s.jobs {
				if last != "stopped" && last != "failed" {
					t.Errorf("session %s ended with %s at %s", id, key, last)
				}
			}
			s.ended = true
		default:
			key := p.Type[:strings.LastIndexByte(p.Type, '-')] + "/" + p.str("id") + p.str("participantId") + p.str("kind")
			if prev, ok := s.jobs[key]; ok && (prev == "stopped" || prev == "failed") {
				t.Errorf("%s after %s for %s", stage, prev, key)
			}
			s.jobs[key] = stage
		}
	}
	for id, s := range sessions {
		if !s.ended {
			t.Errorf("session %s never ended", id)
		}
	}
	for id, last := range agents {
		if last != "stopped" && last != "failed" {
			t.Errorf("agent session %s left at %s", id, last)
		}
	}
	for id, last := range calls {
		if last != "hangup" && last != "missed" {
			t.Errorf("call %s left at %s", id, last)
		}
	}
	if len(sessions) < 5 || len(calls) == 0 || len(agents) == 0 {
		t.Errorf("%d sessions, %d calls, %d agents", len(sessions), len(calls), len(agents))
	}
}

// TestDuplicatesSendEveryBodyTwice: with -dup 1 every delivery goes out
// twice. (Some bodies are legitimately identical, such as a participant
// rejoining, so counts are even rather than exactly 2.)
func TestDuplicatesSendEveryBodyTwice(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	cfg := testConfig(srv.URL)
	cfg.dup, cfg.reorder = 1, 0
	sum, _ := runSim(t, context.Background(), cfg)
	seen := map[string]int{}
	reqs := rec.requests()
	for _, r := range reqs {
		seen[string(r.body)]++
	}
	for body, n := range seen {
		if n%2 != 0 {
			t.Errorf("sent %d times: %s", n, body)
		}
	}
	if len(reqs) != 2*sum.Webhooks || sum.Dups != sum.Webhooks || sum.Sent != 2*sum.Webhooks || sum.Webhooks < cfg.count {
		t.Errorf("%d requests; summary %s", len(reqs), sum)
	}
}

func TestReorderHoldsBack(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	cfg := testConfig(srv.URL)
	cfg.workers, cfg.dup, cfg.reorder = 1, 0, 0.2
	sum, _ := runSim(t, context.Background(), cfg)
	if sum.Reordered == 0 || len(rec.requests()) != sum.Webhooks {
		t.Errorf("summary %s, %d requests", sum, len(rec.requests()))
	}
}

func TestSameSeedSameMix(t *testing.T) {
	mix := func() []string {
		rec, srv := newRecorder(t, nil)
		cfg := testConfig(srv.URL)
		cfg.workers, cfg.count, cfg.dup = 1, 200, 0 // duplicates go out on a real-time delay
		runSim(t, context.Background(), cfg)
		var out []string
		for _, r := range rec.requests() {
			p := parse(t, r.body)
			out = append(out, p.Type+" "+p.str("meetingId")+" "+p.str("sessionId")+" "+p.str("participantId")+" "+p.str("id"))
		}
		return out
	}
	if a, b := mix(), mix(); !slices.Equal(a, b) {
		t.Errorf("two runs with one seed differ:\n%v\n%v", a[:10], b[:10])
	}
}

func TestSignatures(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	rec, srv := newRecorder(t, nil)
	cfg := testConfig(srv.URL)
	cfg.keyPath, cfg.count = path, 100
	runSim(t, context.Background(), cfg)
	reqs := rec.requests()
	if len(reqs) < 100 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, r := range reqs {
		sig, err := base64.StdEncoding.DecodeString(r.sig)
		if err != nil {
			t.Fatalf("signature %q: %v", r.sig, err)
		}
		sum := sha256.Sum256(r.body)
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
			t.Fatalf("signature does not verify: %v", err)
		}
		if err := videosdk.Verify(&key.PublicKey, r.body, r.sig); err != nil {
			t.Fatalf("the dashboard would reject it: %v", err)
		}
	}

	// A PKCS #1 key works too.
	path1 := filepath.Join(t.TempDir(), "key1.pem")
	_ = os.WriteFile(path1, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600)
	if k, err := loadKey(path1); err != nil || !k.Equal(key) {
		t.Errorf("loadKey PKCS #1: %v", err)
	}
}

// TestRetries answers 503 to the first seven requests and drops the
// connection of the next three; every delivery must still arrive, and the
// summary must add up.
func TestRetries(t *testing.T) {
	rec, srv := newRecorder(t, func(n int) int {
		switch {
		case n < 7:
			return http.StatusServiceUnavailable
		case n < 10:
			return -1
		}
		return http.StatusOK
	})
	cfg := testConfig(srv.URL)
	cfg.dup, cfg.reorder, cfg.count = 0, 0, 100
	sum, out := runSim(t, context.Background(), cfg)
	reqs := rec.requests()
	tried, ok := map[string]bool{}, map[string]bool{}
	for _, r := range reqs {
		tried[string(r.body)] = true
		if r.status == 200 {
			ok[string(r.body)] = true
		}
	}
	if !mapsEqual(tried, ok) {
		t.Errorf("%d bodies tried, %d got through", len(tried), len(ok))
	}
	want := summary{Webhooks: sum.Webhooks, Sent: len(reqs), Status: map[int]int{200: sum.Webhooks, 503: 7}, Errors: 3, Retries: 10}
	got := sum
	got.Opened, got.Closed = 0, 0
	if got.String() != want.String() {
		t.Errorf("summary\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(out, "sent "+itoa(len(reqs))+" [200:"+itoa(sum.Webhooks)+" 503:7 err:3]") || !strings.Contains(out, "retries 10, dropped 0, pending 0, rooms open 0") {
		t.Errorf("final summary line:\n%s", out)
	}
}

// TestGivesUp: a dashboard that always fails gets maxAttempts tries per
// delivery, then the delivery is dropped; nothing crashes.
func TestGivesUp(t *testing.T) {
	rec, srv := newRecorder(t, func(int) int { return http.StatusInternalServerError })
	cfg := testConfig(srv.URL)
	cfg.dup, cfg.reorder, cfg.count, cfg.maxAttempts = 0, 0, 20, 3
	sum, _ := runSim(t, context.Background(), cfg)
	if n := len(rec.requests()); n != 3*sum.Webhooks || sum.Dropped != sum.Webhooks || sum.Retries != 2*sum.Webhooks || sum.Status[500] != n {
		t.Errorf("%d requests; summary %s", n, sum)
	}
}

func TestGraceRunsOut(t *testing.T) {
	_, srv := newRecorder(t, func(int) int { return http.StatusServiceUnavailable })
	cfg := testConfig(srv.URL)
	cfg.dup, cfg.reorder, cfg.count, cfg.retryBase, cfg.grace = 0, 0, 10, time.Hour, 200*time.Millisecond
	start := time.Now()
	sum, _ := runSim(t, context.Background(), cfg)
	if time.Since(start) > 5*time.Second || sum.Dropped != sum.Webhooks || sum.Pending != 0 {
		t.Errorf("took %s; summary %s", time.Since(start), sum)
	}
}

func TestUnreachableDashboard(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	cfg := testConfig(srv.URL)
	cfg.count, cfg.grace = 10, 300*time.Millisecond
	sum, _ := runSim(t, context.Background(), cfg)
	if sum.Errors == 0 || sum.Status[200] != 0 {
		t.Errorf("summary %s", sum)
	}
}

// TestInterruptDrains: on cancel, the open rooms are closed properly.
func TestInterruptDrains(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	cfg := testConfig(srv.URL)
	cfg.count, cfg.rate = 0, 1000
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	sum, out := runSim(t, ctx, cfg)
	started, ended := sessionSets(t, rec.requests())
	if len(started) == 0 || !mapsEqual(started, ended) || sum.RoomsOpen != 0 || !strings.Contains(out, "interrupted; closing 3 open rooms") {
		t.Errorf("started %v ended %v\n%s", started, ended, out)
	}
}

func TestDurationDrains(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	cfg := testConfig(srv.URL)
	cfg.count, cfg.rate, cfg.duration, cfg.every = 0, 1000, 300*time.Millisecond, 100*time.Millisecond
	sum, out := runSim(t, context.Background(), cfg)
	started, ended := sessionSets(t, rec.requests())
	if len(started) == 0 || !mapsEqual(started, ended) || sum.Opened != sum.Closed || !strings.Contains(out, "duration reached") {
		t.Errorf("started %v ended %v\n%s", started, ended, out)
	}
	if !strings.Contains(out, "rooms open 3 (") {
		t.Errorf("no periodic summary with 3 rooms open:\n%s", out)
	}
}

func sessionSets(t *testing.T, reqs []request) (started, ended map[string]bool) {
	started, ended = map[string]bool{}, map[string]bool{}
	for _, r := range reqs {
		p := parse(t, r.body)
		switch p.Type {
		case "session-started":
			started[p.str("sessionId")] = true
		case "session-ended":
			ended[p.str("sessionId")] = true
		}
	}
	return started, ended
}

func TestParseConfig(t *testing.T) {
	env := func(k string) string {
		if k == "DASHBOARD_URL" {
			return "http://dash:9000/"
		}
		return ""
	}
	c, err := parseConfig(nil, env, io.Discard)
	if err != nil || c.url != "http://dash:9000" || c.rooms != 6 || c.rate != 5 || c.count != 0 || c.duration != 0 ||
		c.dup != 0.05 || c.reorder != 0.05 || c.fail != 0.05 || c.keyPath != "" {
		t.Errorf("defaults: %+v %v", c, err)
	}
	c, err = parseConfig([]string{"-url", "https://x.example", "-seed", "0", "-rooms", "2", "-rate", "0.5", "-count", "7", "-duration", "1m"}, env, io.Discard)
	if err != nil || c.url != "https://x.example" || c.seed != 0 || c.rooms != 2 || c.rate != 0.5 || c.count != 7 || c.duration != time.Minute {
		t.Errorf("flags: %+v %v", c, err)
	}
	for _, bad := range [][]string{{"-rooms", "0"}, {"-rate", "0"}, {"-dup", "1.5"}, {"-fail", "-1"}, {"-url", "ftp://x"}, {"-count", "-1"}, {"extra"}} {
		if _, err := parseConfig(bad, env, io.Discard); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestDashboardAddr: with DASHBOARD_URL unset, the simulator posts to the
// dashboard's own listen address, DASHBOARD_ADDR, and says so.
func TestDashboardAddr(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:9000": "http://127.0.0.1:9000",
		":9001":          "http://127.0.0.1:9001",
		"0.0.0.0:9002":   "http://127.0.0.1:9002",
		"[::]:9003":      "http://127.0.0.1:9003",
		"[::1]:9004":     "http://[::1]:9004",
		"dash.lan:9005":  "http://dash.lan:9005",
	} {
		c, err := parseConfig(nil, func(k string) string {
			if k == "DASHBOARD_ADDR" {
				return addr
			}
			return ""
		}, io.Discard)
		if err != nil || c.url != want || c.urlFrom != "DASHBOARD_ADDR" {
			t.Errorf("DASHBOARD_ADDR=%s: url %q from %s (%v), want %s", addr, c.url, c.urlFrom, err, want)
		}
	}
	both := func(k string) string {
		return map[string]string{"DASHBOARD_URL": "http://url.example:1", "DASHBOARD_ADDR": "127.0.0.1:2"}[k]
	}
	if c, _ := parseConfig(nil, both, io.Discard); c.url != "http://url.example:1" || c.urlFrom != "DASHBOARD_URL" {
		t.Errorf("DASHBOARD_URL and DASHBOARD_ADDR: %s from %s, want DASHBOARD_URL's", c.url, c.urlFrom)
	}
	if c, _ := parseConfig([]string{"-url", "http://flag.example:3"}, both, io.Discard); c.url != "http://flag.example:3" || c.urlFrom != "-url" {
		t.Errorf("-url: %s from %s", c.url, c.urlFrom)
	}
	if _, err := parseConfig(nil, func(k string) string {
		if k == "DASHBOARD_ADDR" {
			return "8080"
		}
		return ""
	}, io.Discard); err == nil || !strings.Contains(err.Error(), "DASHBOARD_ADDR") {
		t.Errorf("DASHBOARD_ADDR=8080: %v, want an error naming it", err)
	}

	// The start-up lines name the URL used and where it came from.
	rec, srv := newRecorder(t, nil)
	env := func(k string) string {
		if k == "DASHBOARD_ADDR" {
			return strings.TrimPrefix(srv.URL, "http://")
		}
		return ""
	}
	cfg, err := parseConfig([]string{"-count", "5", "-rate", "1000", "-rooms", "1"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.grace = 10 * time.Second
	_, out := runSim(t, context.Background(), cfg)
	if len(rec.requests()) == 0 || !strings.Contains(out, "posting to "+srv.URL+"/webhooks/videosdk (from DASHBOARD_ADDR)") {
		t.Errorf("%d requests reached the dashboard at DASHBOARD_ADDR; output:\n%s", len(rec.requests()), out)
	}
}
