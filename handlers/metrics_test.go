package handlers

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/handlers/webhooks"
	"github.com/meetboard/meetboard/live"
)

// metricsApp is a Fiber app serving only m at /metrics.
func metricsApp(m *metrics) *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/metrics", m.handler())
	return app
}

// scrape GETs /metrics and returns the exposition text.
func scrape(t *testing.T, app *fiber.App) string {
	t.Helper()
	resp, err := app.Test(httptest.NewRequest("GET", "/metrics", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != fiber.StatusOK {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get(fiber.HeaderContentType); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type %q, want text/plain", ct)
	}
	return string(body)
}

// sample returns the value of the series named exactly series (name and
// labels as exposed), and whether it is there.
func sample(text, series string) (string, bool) {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			return v, true
		}
	}
	return "", false
}

func wantSample(t *testing.T, text, series, want string) {
	t.Helper()
	got, ok := sample(text, series)
	if !ok {
		t.Errorf("no series %s", series)
		return
	}
	if got != want {
		t.Errorf("%s = %s, want %s", series, got, want)
	}
}

// countSeries counts the samples whose line starts with prefix.
func countSeries(text, prefix string) int {
	n := 0
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, prefix) {
			n++
		}
	}
	return n
}

func TestMetricsExposition(t *testing.T) {
	var hub atomic.Pointer[live.Stats]
	hub.Store(&live.Stats{Subscribers: 3, Sent: 42, Dropped: 2})
	m := newMetrics(func() live.Stats { return *hub.Load() },
		func() sql.DBStats { return sql.DBStats{OpenConnections: 5, InUse: 2, Idle: 3} })
	app := metricsApp(m)

	m.webhook("videosdk", "participant-joined", "applied", 3*time.Millisecond)
	m.webhook("videosdk", "participant-joined", "applied", 20*time.Millisecond)
	m.webhook("videosdk", "participant-joined", "no-change", 2*time.Second)
	m.webhook("daily", "recording.started", "duplicate", time.Millisecond)
	m.webhook("iotum", "", "rejected", 100*time.Microsecond)
	m.webhook("daily", "", "too-large", time.Millisecond)
	m.webhook("videosdk", "session-started", "unavailable", 10*time.Second)
	m.dbError()
	m.dbError()

	text := scrape(t, app)
	wantSample(t, text, `meetboard_webhooks_total{outcome="applied",provider="videosdk",type="participant-joined"}`, "2")
	wantSample(t, text, `meetboard_webhooks_total{outcome="no-change",provider="videosdk",type="participant-joined"}`, "1")
	wantSample(t, text, `meetboard_webhooks_total{outcome="duplicate",provider="daily",type="recording.started"}`, "1")
	wantSample(t, text, `meetboard_webhooks_total{outcome="rejected",provider="iotum",type="unknown"}`, "1")
	wantSample(t, text, `meetboard_webhooks_total{outcome="too-large",provider="daily",type="unknown"}`, "1")
	wantSample(t, text, `meetboard_webhooks_total{outcome="unavailable",provider="videosdk",type="session-started"}`, "1")

	wantSample(t, text, `meetboard_webhook_duration_seconds_count{provider="videosdk"}`, "4")
	wantSample(t, text, `meetboard_webhook_duration_seconds_count{provider="daily"}`, "2")
	wantSample(t, text, `meetboard_webhook_duration_seconds_count{provider="iotum"}`, "1")
	wantSample(t, text, `meetboard_webhook_duration_seconds_sum{provider="videosdk"}`, "12.023")
	wantSample(t, text, `meetboard_webhook_duration_seconds_bucket{provider="iotum",le="0.0005"}`, "1")
	wantSample(t, text, `meetboard_webhook_duration_seconds_bucket{provider="videosdk",le="0.005"}`, "1")
	wantSample(t, text, `meetboard_webhook_duration_seconds_bucket{provider="videosdk",le="0.025"}`, "2")
	wantSample(t, text, `meetboard_webhook_duration_seconds_bucket{provider="videosdk",le="2.5"}`, "3")
	wantSample(t, text, `meetboard_webhook_duration_seconds_bucket{provider="videosdk",le="10"}`, "4")
	wantSample(t, text, `meetboard_webhook_duration_seconds_bucket{provider="videosdk",le="+Inf"}`, "4")

	wantSample(t, text, `meetboard_websocket_clients`, "3")
	wantSample(t, text, `meetboard_live_messages_sent_total`, "42")
	wantSample(t, text, `meetboard_live_clients_dropped_total`, "2")
	wantSample(t, text, `meetboard_db_errors_total`, "2")
	wantSample(t, text, `meetboard_db_open_connections`, "5")
	wantSample(t, text, `meetboard_db_in_use_connections`, "2")
	for _, typ := range []string{
		"# TYPE meetboard_webhooks_total counter",
		"# TYPE meetboard_webhook_duration_seconds histogram",
		"# TYPE meetboard_websocket_clients gauge",
		"# TYPE meetboard_live_messages_sent_total counter",
		"# TYPE meetboard_live_clients_dropped_total counter",
		"# TYPE meetboard_db_errors_total counter",
		"# TYPE meetboard_db_open_connections gauge",
		"# TYPE meetboard_db_in_use_connections gauge",
	} {
		if !strings.Contains(text, typ+"\n") {
			t.Errorf("no %q", typ)
		}
	}

	// The standard collectors are on the same registry.
	if _, ok := sample(text, "go_goroutines"); !ok {
		t.Error("no go_goroutines: Go collector missing")
	}
	if runtime.GOOS == "linux" {
		if _, ok := sample(text, "process_start_time_seconds"); !ok {
			t.Error("no process_start_time_seconds: process collector missing")
		}
	}

	// Hub stats are read at scrape time, not at construction.
	hub.Store(&live.Stats{Subscribers: 7, Sent: 50, Dropped: 4})
	text = scrape(t, app)
	wantSample(t, text, `meetboard_websocket_clients`, "7")
	wantSample(t, text, `meetboard_live_messages_sent_total`, "50")
	wantSample(t, text, `meetboard_live_clients_dropped_total`, "4")
}

func TestMetricsOwnRegistry(t *testing.T) {
	// Two instances (two servers in one test binary) must not collide,
	// as they would on the global default registry.
	a := newMetrics(nil, nil)
	b := newMetrics(nil, nil)
	a.webhook("videosdk", "session-started", "applied", time.Millisecond)
	text := scrape(t, metricsApp(b))
	if strings.Contains(text, "meetboard_webhooks_total{") {
		t.Error("b exposes a's webhooks")
	}
	// Nil stats funcs leave their series out.
	for _, name := range []string{"meetboard_websocket_clients", "meetboard_db_open_connections"} {
		if strings.Contains(text, name) {
			t.Errorf("%s exposed without a stats func", name)
		}
	}
	// A nil *metrics records nothing and does not panic.
	var none *metrics
	none.webhook("videosdk", "x", "applied", time.Millisecond)
	none.dbError()
}

func TestMetricsGzip(t *testing.T) {
	m := newMetrics(nil, nil)
	m.dbError()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := metricsApp(m).Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ce := resp.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", ce)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	wantSample(t, string(body), "meetboard_db_errors_total", "1")
}

func TestMetricsTypeLabelCap(t *testing.T) {
	m := newMetrics(nil, nil)
	app := metricsApp(m)
	for i := range maxTypeLabels + 1 {
		m.webhook("videosdk", fmt.Sprintf("type-%03d", i), "stored", time.Millisecond)
	}
	// Types already labelled keep their label past the cap.
	m.webhook("videosdk", "type-000", "stored", time.Millisecond)
	// Another new type after the cap is "other" too.
	m.webhook("videosdk", "type-new", "stored", time.Millisecond)
	// The cap is per provider.
	m.webhook("daily", "type-200", "stored", time.Millisecond)
	// Long, invalid and empty types; an unknown outcome.
	m.webhook("iotum", strings.Repeat("a", maxTypeLabelLen), "applied", time.Millisecond)
	m.webhook("iotum", strings.Repeat("b", maxTypeLabelLen+1), "applied", time.Millisecond)
	m.webhook("iotum", "bad\xffutf8", "applied", time.Millisecond)
	m.webhook("iotum", "", "malformed", time.Millisecond)
	m.webhook("iotum", "conference_started", "exploded", time.Millisecond)

	text := scrape(t, app)
	if n := countSeries(text, `meetboard_webhooks_total{outcome="stored",provider="videosdk",`); n != maxTypeLabels+1 {
		t.Errorf("videosdk has %d type series, want %d (%d types and other)", n, maxTypeLabels+1, maxTypeLabels)
	}
	wantSample(t, text, `meetboard_webhooks_total{outcome="stored",provider="videosdk",type="type-000"}`, "2")
	wantSample(t, text, `meetboard_webhooks_total{outcome="stored",provider="videosdk",type="type-199"}`, "1")
	if _, ok := sample(text, `meetboard_webhooks_total{outcome="stored",provider="videosdk",type="type-200"}`); ok {
		t.Error("the 201st type got its own label")
	}
	wantSample(t, text, `meetboard_webhooks_total{outcome="stored",provider="videosdk",type="other"}`, "2")
	wantSample(t, text, `meetboard_webhooks_total{outcome="stored",provider="daily",type="type-200"}`, "1")
	wantSample(t, text, `meetboard_webhooks_total{outcome="applied",provider="iotum",type="`+strings.Repeat("a", maxTypeLabelLen)+`"}`, "1")
	wantSample(t, text, `meetboard_webhooks_total{outcome="applied",provider="iotum",type="other"}`, "2")
	wantSample(t, text, `meetboard_webhooks_total{outcome="malformed",provider="iotum",type="unknown"}`, "1")
	wantSample(t, text, `meetboard_webhooks_total{outcome="other",provider="iotum",type="conference_started"}`, "1")
	wantSample(t, text, `meetboard_webhook_duration_seconds_count{provider="videosdk"}`, fmt.Sprint(maxTypeLabels+3))
}

func TestMetricsLabelsAreCopies(t *testing.T) {
	// Fiber hands out strings backed by buffers it reuses; the labels must
	// not change when the caller's bytes do.
	m := newMetrics(nil, nil)
	buf := []byte("session-started")
	typ := unsafe.String(&buf[0], len(buf))
	m.webhook("videosdk", typ, "applied", time.Millisecond)
	copy(buf, "XXXXXXXXXXXXXXX")
	text := scrape(t, metricsApp(m))
	wantSample(t, text, `meetboard_webhooks_total{outcome="applied",provider="videosdk",type="session-started"}`, "1")
}

func TestMetricsConcurrentWebhooks(t *testing.T) {
	m := newMetrics(func() live.Stats { return live.Stats{Subscribers: 1} },
		func() sql.DBStats { return sql.DBStats{OpenConnections: 1} })
	app := metricsApp(m)
	const workers, each = 16, 400
	providers := []string{"videosdk", "daily", "iotum"}
	outcomes := []string{"applied", "no-change", "stored", "duplicate", "error", "rejected", "malformed", "too-large", "rate-limited", "unavailable"}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				// 300 types per provider: the cap is reached while
				// workers race over it.
				n := w*each + i
				m.webhook(providers[n/300%len(providers)], fmt.Sprintf("t%d", n%300),
					outcomes[i%len(outcomes)], time.Duration(i)*time.Microsecond)
				if i%50 == 0 {
					m.dbError()
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 5 {
				scrape(t, app)
			}
		})
	}
	wg.Wait()

	text := scrape(t, app)
	total := 0
	for _, p := range providers {
		v, ok := sample(text, `meetboard_webhook_duration_seconds_count{provider="`+p+`"}`)
		if !ok {
			t.Fatalf("no duration count for %s", p)
		}
		var n int
		fmt.Sscan(v, &n)
		total += n

		types := map[string]bool{}
		for line := range strings.Lines(text) {
			rest, ok := strings.CutPrefix(line, `meetboard_webhooks_total{`)
			if !ok || !strings.Contains(rest, `provider="`+p+`"`) {
				continue
			}
			_, typ, _ := strings.Cut(rest, `type="`)
			typ, _, _ = strings.Cut(typ, `"`)
			types[typ] = true
		}
		if len(types) > maxTypeLabels+1 {
			t.Errorf("%s has %d type labels, want at most %d", p, len(types), maxTypeLabels+1)
		}
		if !types["other"] {
			t.Errorf("%s: no other label though 300 types were sent", p)
		}
	}
	if total != workers*each {
		t.Errorf("recorded %d deliveries, want %d", total, workers*each)
	}
	wantSample(t, text, "meetboard_db_errors_total", fmt.Sprint(workers*each/50))
}

func TestMetricsWebhookProvider(t *testing.T) {
	for path, want := range map[string]string{
		"/webhooks/videosdk":  "videosdk",
		"/webhooks/daily/":    "daily",
		"/Webhooks/IOTUM":     "iotum",
		"/webhooks/other":     "",
		"/webhooks/daily/x":   "",
		"/api/meetings":       "",
		"/webhooks/videosdkx": "",
	} {
		if got := webhookProvider(path, webhooks.Providers()); got != want {
			t.Errorf("webhookProvider(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestLogWebhook(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))

	logWebhook(log, "videosdk", "recording-started", "abc-defg-hij", "applied", 200, 17, 1500*time.Microsecond)
	logWebhook(log, "daily", "", "", "rejected", 401, 0, 200*time.Microsecond)
	logWebhook(log, "iotum", "conference_started", "c1", "unavailable", 503, 0, 10*time.Second)
	long := strings.Repeat("é", 300) // 600 bytes
	logWebhook(log, "videosdk", long, long, "stored", 200, 18, time.Millisecond)

	type line struct {
		Level    string
		Msg      string
		Provider string
		Type     string
		Meeting  string
		Outcome  string
		Status   int
		Duration int64
		EventID  uint64 `json:"eventId"`
	}
	wantKeys := []string{"time", "level", "msg", "provider", "type", "meeting", "outcome", "status", "duration", "eventId"}
	want := []line{
		{"INFO", "webhook", "videosdk", "recording-started", "abc-defg-hij", "applied", 200, int64(1500 * time.Microsecond), 17},
		{"WARN", "webhook", "daily", "", "", "rejected", 401, int64(200 * time.Microsecond), 0},
		{"ERROR", "webhook", "iotum", "conference_started", "c1", "unavailable", 503, int64(10 * time.Second), 0},
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(lines), buf.String())
	}
	for i, raw := range lines {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal([]byte(raw), &keys); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, raw)
		}
		// Exactly these fields: nothing else (body, headers, signature)
		// can be in the line.
		if len(keys) != len(wantKeys) {
			t.Errorf("line %d has fields %v, want %v", i, keys, wantKeys)
		}
		for _, k := range wantKeys {
			if _, ok := keys[k]; !ok {
				t.Errorf("line %d has no %q: %s", i, k, raw)
			}
		}
		var got line
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatal(err)
		}
		if i < len(want) && got != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got, want[i])
		}
		if i == 3 {
			if len(got.Type) > maxLogField+len("…") || !strings.HasSuffix(got.Type, "…") ||
				!strings.HasPrefix(long, strings.TrimSuffix(got.Type, "…")) {
				t.Errorf("long type not clipped on a rune boundary: %d bytes %q", len(got.Type), got.Type)
			}
			if got.Meeting != got.Type {
				t.Errorf("long meeting id not clipped like the type")
			}
		}
	}

	// The level follows the status, so a Warn logger drops 2xx lines.
	buf.Reset()
	warn := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	logWebhook(warn, "videosdk", "session-started", "m", "applied", 200, 1, time.Millisecond)
	if buf.Len() != 0 {
		t.Errorf("2xx logged at Warn level: %s", buf.String())
	}
	logWebhook(warn, "videosdk", "session-started", "m", "malformed", 400, 0, time.Millisecond)
	if !strings.Contains(buf.String(), `"level":"WARN"`) {
		t.Errorf("4xx not logged at Warn: %q", buf.String())
	}
}
