package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// healthOf waits until the provider's health, read from the API, passes
// ok, and returns it.
func (s *server) healthOf(t *testing.T, provider string, ok func(r reply) bool) reply {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := s.do(t, http.MethodGet, "/api/providers/"+provider, nil, nil)
		if r.Status == http.StatusOK && ok(r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /api/providers/%s never came to what the test waits for: %d %.2000s", provider, r.Status, r.Raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// num reads a number at a path of JSON objects (-1 when absent).
func num(v any, path ...string) int64 {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return -1
		}
		v = m[k]
	}
	f, ok := v.(float64)
	if !ok {
		return -1
	}
	return int64(f)
}

// TestProviderHealthPage posts a Daily delivery that verifies and bad ones
// of every kind a client can cause to the running program, and reads them
// back from /api/providers/daily and the provider pages: counted by
// outcome and reason, the refusals kept with their source and a bounded,
// escaped excerpt.
func TestProviderHealthPage(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		signer, secret := newDailySigner(t)
		s := start(t, map[string]string{"DATABASE_URL": url, "DAILY_WEBHOOK_SECRET": secret}, "-body-limit", "64k")
		good := []byte(`{"version":"1.0.0","type":"meeting.started","id":"ev-health","payload":{"room":"health","meeting_id":"s1","start_ts":1700000000},"event_ts":1700000000}`)
		if r := s.postTo(t, "daily", good, signer.headers(good, time.Now())); r.Status != http.StatusOK {
			t.Fatalf("signed delivery: %d %s", r.Status, r.Raw)
		}
		hostile := append([]byte(`{"type":"<script>alert('refused')</script>","pad":"`), bytes.Repeat([]byte("x"), 2000)...)
		for range 3 {
			if r := s.postTo(t, "daily", hostile, map[string]string{"X-Webhook-Timestamp": "1", "X-Webhook-Signature": "AAAA"}); r.Status != http.StatusUnauthorized {
				t.Fatalf("bad signature: %d %s", r.Status, r.Raw)
			}
		}
		notJSON := []byte("not json at all")
		if r := s.postTo(t, "daily", notJSON, signer.headers(notJSON, time.Now())); r.Status != http.StatusBadRequest {
			t.Fatalf("signed, not JSON: %d %s", r.Status, r.Raw)
		}
		if r := s.postTo(t, "daily", bytes.Repeat([]byte(" "), 70<<10), nil); r.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("over the limit: %d %s", r.Status, r.Raw)
		}
		if r := s.postTo(t, "daily", good, map[string]string{"Content-Encoding": "br"}); r.Status != http.StatusUnsupportedMediaType {
			t.Fatalf("brotli: %d %s", r.Status, r.Raw)
		}

		r := s.healthOf(t, "daily", func(r reply) bool { return num(r.Body, "lastHour", "refused") == 6 })
		for path, want := range map[string]int64{
			"lastHour accepted": 1, "last24h accepted": 1, "last24h refused": 6,
			"lastHour reasons bad-signature": 3, "lastHour reasons malformed": 1, "lastHour reasons too-large": 1,
			"lastHour reasons unsupported-encoding": 1, "lastHour reasons rate-limited": 0,
			"lastHour outcomes accepted": 1, "lastHour outcomes rejected": 3, "lastHour outcomes malformed": 2,
			"lastHour outcomes too-large": 1,
		} {
			if got := num(r.Body, strings.Fields(path)...); got != want {
				t.Errorf("%s: %d, want %d", path, got, want)
			}
		}
		if r.Body["lastAccepted"] == nil || r.Body["lastReceived"] == nil || r.Body["lastReceived"] == r.Body["lastAccepted"] {
			t.Errorf("last accepted %v, last received %v: want both, the refusals after the delivery", r.Body["lastAccepted"], r.Body["lastReceived"])
		}
		minutes, _ := r.Body["perMinute"].([]any)
		if len(minutes) != models.HealthMinutes || num(minutes[len(minutes)-1], "accepted")+num(minutes[len(minutes)-2], "accepted") != 1 {
			t.Errorf("per minute: %d minutes, the last two %v %v", len(minutes), minutes[len(minutes)-2], minutes[len(minutes)-1])
		}
		refusals, _ := r.Body["refusals"].([]any)
		kinds := map[string]int{}
		for _, x := range refusals {
			f := x.(map[string]any)
			kinds[f["kind"].(string)]++
			if f["source"] != "127.0.0.1" {
				t.Errorf("refusal from %v, want 127.0.0.1", f["source"])
			}
			excerpt, _ := f["excerpt"].(string)
			if f["kind"] == models.RefusedSignature {
				if len(excerpt) != models.MaxRefusalExcerpt || f["excerptCut"] != true || num(f, "bodySize") != int64(len(hostile)) ||
					!strings.HasPrefix(excerpt, `{"type":"<script>`) || !strings.Contains(f["reason"].(string), "signature") {
					t.Errorf("bad signature kept as %v", f)
				}
			}
		}
		if fmt.Sprint(kinds) != "map[bad-signature:3 malformed:1 too-large:1 unsupported-encoding:1]" {
			t.Errorf("refusals kept: %v", kinds)
		}

		_, page := get(t, http.DefaultClient, s.URL+"/providers/daily", nil)
		if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;alert(&#39;refused&#39;)") {
			t.Errorf("the excerpt is not escaped on the page:\n%s", grepLines(page, "alert"))
		}
		for _, want := range []string{"bad signature", "unsupported encoding", "127.0.0.1", "Shared figures"} {
			if !strings.Contains(page, want) {
				t.Errorf("the Daily page lacks %q", want)
			}
		}
		_, all := get(t, http.DefaultClient, s.URL+"/providers", nil)
		list := s.do(t, http.MethodGet, "/api/providers", nil, nil)
		providers, _ := list.Body["providers"].([]any)
		if len(providers) < 3 {
			t.Fatalf("/api/providers: %s", list.Raw)
		}
		for _, p := range providers {
			name := p.(map[string]any)["provider"].(string)
			if !strings.Contains(all, `href="/providers/`+name+`"`) {
				t.Errorf("/providers does not link to %s", name)
			}
		}
		if !strings.Contains(all, `href="/providers" aria-current="page"`) {
			t.Error("the navigation does not mark Providers")
		}
		if resp, _ := get(t, http.DefaultClient, s.URL+"/providers/nobody", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("/providers/nobody: %d, want 404", resp.StatusCode)
		}
		if r := s.do(t, http.MethodGet, "/api/providers/nobody", nil, nil); r.Status != http.StatusNotFound {
			t.Errorf("/api/providers/nobody: %d %s, want 404", r.Status, r.Raw)
		}
	})
}

// TestRefusalFloodBounded sends thousands of failing deliveries while
// another connection holds the refusal tables locked: every one is
// answered 4xx all the same (the answers never wait for the database),
// what the server holds for the refusal writer stays within its bound,
// and once the lock goes every refusal is written or counted as dropped,
// with at most two minutes' quota kept whole.
func TestRefusalFloodBounded(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		_, secret := newDailySigner(t)
		s := start(t, map[string]string{"DATABASE_URL": url, "DAILY_WEBHOOK_SECRET": secret}, "-webhook-failure-limit", "200")
		lock, release := lockRefusalTables(t, url)

		const total, workers = 6000, 16
		var next atomic.Int32
		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1); i <= total; i = next.Add(1) {
					provider, body := "daily", fmt.Appendf(nil, `{"type":"flood","n":%d}`, i)
					if i%2 == 0 {
						provider, body = "videosdk", []byte("not json")
					}
					req, _ := http.NewRequest(http.MethodPost, s.URL+"/webhooks/"+provider, bytes.NewReader(body))
					req.Header.Set("X-Webhook-Signature", "AAAA")
					status := 0
					if resp, err := client.Do(req); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						status = resp.StatusCode
					}
					mu.Lock()
					statuses[status]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		client.CloseIdleConnections()
		if statuses[401]+statuses[400]+statuses[429] != total || statuses[429] == 0 {
			t.Errorf("answers with the refusal tables locked: %v; want %d, all 400, 401 or 429", statuses, total)
		}
		held, _ := strconv.Atoi(s.metric(t, "meetboard_refusals_held"))
		if bound := models.MaxRefusalsHeld(models.DefaultRefusalsPerMinute); held > bound {
			t.Errorf("%d refusal rows held in memory, over the bound of %d", held, bound)
		}

		release()
		r := s.healthOf(t, "daily", func(r reply) bool {
			return num(r.Body, "instance", "refusalsHeld") == 0 &&
				num(r.Body, "instance", "refusalsWritten")+num(r.Body, "instance", "refusalsDropped") == total
		})
		written := num(r.Body, "instance", "refusalsWritten")
		all := s.do(t, http.MethodGet, "/api/providers", nil, nil)
		var refused int64
		for _, p := range all.Body["providers"].([]any) {
			refused += num(p, "lastHour", "refused")
		}
		if refused != written {
			t.Errorf("%d refusals counted in the database, the instance says it wrote %d", refused, written)
		}
		var kept int64
		if err := lock.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM refusals").Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if kept > 2*models.DefaultRefusalsPerMinute {
			t.Errorf("%d refusals kept whole after a flood within a minute or two, want at most %d", kept, 2*models.DefaultRefusalsPerMinute)
		}
		t.Logf("answers %v; held %d at most; written %d, dropped %d; kept whole %d", statuses, held, written, num(r.Body, "instance", "refusalsDropped"), kept)
	})
}

// lockRefusalTables holds the refusal tables locked against writers from
// a connection of its own until release (the SQLite database's write
// lock, or PostgreSQL's ACCESS EXCLUSIVE lock on both tables), and
// returns that connection for queries after it.
func lockRefusalTables(t *testing.T, url string) (*sql.Conn, func()) {
	t.Helper()
	db, err := models.Open(url, models.DBOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqlDB.Close() })
	ctx := context.Background()
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lock, unlock := "BEGIN IMMEDIATE", "ROLLBACK"
	if models.IsPostgresURL(url) {
		_, err = conn.ExecContext(ctx, "BEGIN")
		lock = "LOCK TABLE refusals, refusal_counts IN ACCESS EXCLUSIVE MODE"
	}
	if err == nil {
		_, err = conn.ExecContext(ctx, lock)
	}
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() { once.Do(func() { conn.ExecContext(ctx, unlock) }) }
	t.Cleanup(func() {
		release()
		conn.Close()
	})
	return conn, release
}

// TestProvidersPageLive: a page watching the providers, and one watching a
// provider, receive a new refusal over their live sockets, on PostgreSQL
// from another instance sharing the database.
func TestProvidersPageLive(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		_, secret := newDailySigner(t)
		env := map[string]string{"DATABASE_URL": url, "DAILY_WEBHOOK_SECRET": secret}
		watched := start(t, env)
		posted := watched
		if models.IsPostgresURL(url) {
			posted = start(t, env)
		}
		one := watched.subscribe(t, "provider?provider=daily", nil, false)
		if first := one.next(t); !strings.Contains(first, `id="provider-refusals"`) {
			t.Fatalf("the snapshot of a provider's page: %.500s", first)
		}
		all := watched.subscribe(t, "providers", nil, false)
		if first := all.next(t); !strings.Contains(first, `id="health-daily"`) {
			t.Fatalf("the snapshot of the providers page: %.500s", first)
		}
		body := []byte(`{"type":"live-refusal-marker"}`)
		if r := posted.postTo(t, "daily", body, map[string]string{"X-Webhook-Signature": "AAAA"}); r.Status != http.StatusUnauthorized {
			t.Fatalf("bad signature: %d %s", r.Status, r.Raw)
		}
		one.until(t, "live-refusal-marker")
		all.until(t, "1 bad signature")
	})
}

// TestBrowserProvidersLive opens a provider's page on a phone-sized
// Chromium and watches a refusal arrive without a reload: its body, built
// to run script if rendered as HTML, shows as text, and neither page
// scrolls sideways.
func TestBrowserProvidersLive(t *testing.T) {
	_, secret := newDailySigner(t)
	s := start(t, map[string]string{"DATABASE_URL": tempDBEnv(t)["DATABASE_URL"], "DAILY_WEBHOOK_SECRET": secret})
	b := newTab(t, s.URL, 390, 844)
	sideways := `document.documentElement.scrollWidth > window.innerWidth`
	b.open("/providers/daily")
	b.waitLive(10 * time.Second)
	body := []byte(`{"type":"<img src=x onerror=alert(1)>","marker":"browser-live-` + strings.Repeat("long", 60) + `"}`)
	if r := s.postTo(t, "daily", body, map[string]string{"X-Webhook-Signature": "AAAA"}); r.Status != http.StatusUnauthorized {
		t.Fatalf("bad signature: %d %s", r.Status, r.Raw)
	}
	b.waitFor("the refusal on the page", `document.querySelector("#provider-refusals pre.excerpt") &&
		document.querySelector("#provider-refusals pre.excerpt").textContent.includes("<img src=x onerror=alert(1)>")`, 10*time.Second)
	b.waitFor("the count on the page", `document.querySelector("#provider-counts").textContent.includes("bad signature")`, 10*time.Second)
	if evalJS[bool](b, `!!document.querySelector("main img")`) {
		t.Error("the refused body became an element")
	}
	if evalJS[bool](b, sideways) {
		t.Error("/providers/daily scrolls sideways on a phone")
	}
	b.notReloaded()
	b.open("/providers")
	b.waitLive(10 * time.Second)
	b.waitFor("the Daily card's refusal", `document.querySelector("#health-daily").textContent.includes("1 bad signature")`, 10*time.Second)
	if evalJS[bool](b, sideways) {
		t.Error("/providers scrolls sideways on a phone")
	}
	b.checkClean()
}
