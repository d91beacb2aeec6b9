package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models/dbtest"
)

// apiCharts is /api/charts.
type apiCharts struct {
	Range         string `json:"range"`
	BucketSeconds int    `json:"bucketSeconds"`
	Buckets       int    `json:"buckets"`
	Series        []struct {
		Series string   `json:"series"`
		Label  string   `json:"label"`
		Values []*int64 `json:"values"`
	} `json:"series"`
}

// charts reads /api/charts with a query.
func (s *server) charts(t *testing.T, query string) apiCharts {
	t.Helper()
	r := s.do(t, "GET", "/api/charts"+query, nil, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/charts%s: %d %s", query, r.Status, r.Raw)
	}
	var c apiCharts
	if err := json.Unmarshal([]byte(r.Raw), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// totals sums each counter over its buckets, by series:label.
func (c apiCharts) totals() map[string]int64 {
	out := map[string]int64{}
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v != nil && (s.Series == "deliveries" || s.Series == "failures") && *v > 0 {
				out[s.Series+":"+s.Label] += *v
			}
		}
	}
	return out
}

// postDaily posts a Daily fixture body to /webhooks/daily.
func (s *server) postDaily(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../handlers/webhooks/daily/testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	r := s.do(t, http.MethodPost, "/webhooks/daily", b, map[string]string{"Content-Type": "application/json"})
	if r.Status != http.StatusOK {
		t.Fatalf("POST %s: %d %s", name, r.Status, r.Raw)
	}
	out, _ := r.Body["outcome"].(string)
	return out
}

// TestChartsAPI posts webhooks that go right and wrong and reads the
// charts' numbers as JSON: every delivery counted by provider and outcome
// (a Daily redelivery as a duplicate), every failure by kind as the
// problems view counts them; then the pages that draw them.
func TestChartsAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dbURL string) {
		s := start(t, map[string]string{"DATABASE_URL": dbURL})
		hooks := problemHooks()
		s.mustPost(t, hooks...)
		s.mustPost(t, jobHook("recording-failed", "p-rec", "r1")) // a redelivery: no new failure
		if got := s.postDaily(t, "recording.error"); got != "accepted" {
			t.Fatalf("Daily's first delivery: %s", got)
		}
		if got := s.postDaily(t, "recording.error"); got != "duplicate" {
			t.Fatalf("Daily's redelivery: %s", got)
		}
		c := s.charts(t, "")
		if c.Range != "hour" || c.BucketSeconds != 60 || c.Buckets != 60 {
			t.Errorf("the default range: %s, %d buckets of %d s", c.Range, c.Buckets, c.BucketSeconds)
		}
		got := c.totals()
		videosdk := got["deliveries:videosdk/applied"] + got["deliveries:videosdk/no-change"] + got["deliveries:videosdk/stored"]
		if videosdk != int64(len(hooks)+1) || got["deliveries:videosdk/no-change"] < 1 {
			t.Errorf("VideoSDK deliveries %d (%v), want %d with the redelivery a no-change", videosdk, got, len(hooks)+1)
		}
		for k, want := range map[string]int64{
			"deliveries:daily/applied":   1,
			"deliveries:daily/duplicate": 1,
			"failures:recording":         3, // p-rec, p-merge and Daily's
			"failures:stream":            1,
			"failures:transcription":     1,
			"failures:call":              1, // the transfer that failed, not the missed call
		} {
			if got[k] != want {
				t.Errorf("%s: %d, want %d (all: %v)", k, got[k], want, got)
			}
		}
		rooms := false
		for _, s := range c.Series {
			if s.Series == "rooms" && len(s.Values) == 60 {
				rooms = true
			}
		}
		if !rooms {
			t.Error("no rooms gauge")
		}
		for _, q := range []string{"?range=day", "?range=WEEK"} {
			if c := s.charts(t, q); c.Buckets*c.BucketSeconds < 86400 || c.Buckets > 300 || c.totals()["failures:stream"] != 1 {
				t.Errorf("%s: %d buckets of %d s, %v", q, c.Buckets, c.BucketSeconds, c.totals())
			}
		}
		if r := s.do(t, "GET", "/api/charts?range=fortnight", nil, nil); r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, "hour, day, week") {
			t.Errorf("an unknown range: %d %s", r.Status, r.Raw)
		}

		// The pages draw them.
		resp, page := get(t, http.DefaultClient, s.URL+"/charts?range=day", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/charts: %d", resp.StatusCode)
		}
		for _, want := range []string{`aria-current="page">Charts`, `aria-current="page">Last day`, `id="chart-rooms"`, `id="chart-people"`,
			`id="chart-deliveries-provider"`, `id="chart-deliveries-outcome"`, `id="chart-failures"`, `ws-connect="/live?topic=charts%3Frange%3Dday"`,
			`<desc id="chart-failures-desc">`, "recording <b class=\"num\">3</b>", "duplicate <b class=\"num\">1</b>"} {
			if !strings.Contains(page, want) {
				t.Errorf("/charts?range=day lacks %s", want)
			}
		}
		if resp, _ := get(t, http.DefaultClient, s.URL+"/charts?range=fortnight", nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("/charts with an unknown range: %d", resp.StatusCode)
		}
		_, board := get(t, http.DefaultClient, s.URL+"/", nil)
		if !strings.Contains(board, `id="charts-strip"`) || !strings.Contains(board, `href="/charts"`) {
			t.Error("the live-rooms board has no strip of charts")
		}
		if _, filtered := get(t, http.DefaultClient, s.URL+"/?meeting=p-", nil); strings.Contains(filtered, `id="charts-strip"`) {
			t.Error("a filtered board shows the strip of every room")
		}
	})
}

// TestChartsLive: the charts page's socket gets the charts that changed
// once deliveries land, without the rest of the page, and the live-rooms
// board's strip follows.
func TestChartsLive(t *testing.T) {
	s := start(t, tempDBEnv(t))
	charts := s.subscribe(t, "charts", nil, false)
	if snap := charts.next(t); !strings.Contains(snap, `id="chart-deliveries-provider"`) || !strings.Contains(snap, `id="charts-range"`) {
		t.Fatalf("snapshot of the charts page: %.300s", snap)
	}
	board := s.subscribe(t, "rooms", nil, false)
	if snap := board.next(t); !strings.Contains(snap, `id="charts-strip"`) {
		t.Fatalf("snapshot of the board has no strip: %.300s", snap)
	}
	s.mustPost(t, jobHook("hls-failed", "live-1", "h1"))
	// The charts render every few seconds: wait for the one that counts it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		msg := charts.next(t)
		if strings.Contains(msg, `id="charts"`) || strings.Contains(msg, `id="charts-range"`) {
			t.Errorf("a push carries the whole page: %.200s", msg)
		}
		if strings.Contains(msg, `id="chart-failures"`) && strings.Contains(msg, "stream <b class=\"num\">1</b>") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no push of the failure within 30 s")
		}
	}
	for {
		msg := board.next(t)
		if strings.Contains(msg, `id="charts-strip"`) && strings.Contains(msg, `<b class="strip-value num">1</b> <span class="muted strip-unit">last hour`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no push of the strip within 30 s")
		}
	}
}
