package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestTooManyRequestsRetried: a 429 is tried again, no sooner than its
// Retry-After says, and every delivery still arrives.
func TestTooManyRequestsRetried(t *testing.T) {
	rec, srv := newRecorder(t, func(n int) int {
		if n < 2 {
			return http.StatusTooManyRequests
		}
		return http.StatusOK
	})
	rec.retryAfter = "1"
	cfg := testConfig(srv.URL)
	cfg.dup, cfg.reorder, cfg.count, cfg.workers = 0, 0, 20, 1
	sum, out := runSim(t, context.Background(), cfg)
	reqs := rec.requests()
	ok := map[string]bool{}
	for _, r := range reqs {
		if r.status == http.StatusOK {
			ok[string(r.body)] = true
		}
	}
	if len(ok) != sum.Webhooks || sum.Status[429] != 2 || sum.Retries != 2 || sum.Dropped != 0 {
		t.Errorf("%d of %d bodies got through; summary %s", len(ok), sum.Webhooks, sum)
	}
	// Each refused body's retry waited out Retry-After.
	tries := map[string][]time.Time{}
	for _, r := range reqs {
		tries[string(r.body)] = append(tries[string(r.body)], r.at)
	}
	retried := 0
	for body, at := range tries {
		for i := 1; i < len(at); i++ {
			retried++
			if gap := at[i].Sub(at[i-1]); gap < time.Second {
				t.Errorf("a retry came %s after the 429, before its Retry-After of 1s: %s", gap, body)
			}
		}
	}
	if retried != 2 {
		t.Errorf("%d retries reached the dashboard, want 2", retried)
	}
	if !strings.Contains(out, "429:2") || !strings.Contains(out, "dropped 0") {
		t.Errorf("output:\n%s", out)
	}
}

// TestGivenUpCountsAsDropped: deliveries that never get a 2xx are counted
// and printed as dropped, whether 429s ran out of tries or a 4xx refused
// them outright (not retried).
func TestGivenUpCountsAsDropped(t *testing.T) {
	for _, c := range []struct {
		status, tries int
	}{
		{http.StatusTooManyRequests, 3},
		{http.StatusServiceUnavailable, 3},
		{http.StatusUnauthorized, 1},
	} {
		rec, srv := newRecorder(t, func(int) int { return c.status })
		rec.retryAfter = "0"
		cfg := testConfig(srv.URL)
		cfg.dup, cfg.reorder, cfg.count, cfg.maxAttempts = 0, 0, 20, 3
		sum, out := runSim(t, context.Background(), cfg)
		n := len(rec.requests())
		if n != c.tries*sum.Webhooks || sum.Dropped != sum.Webhooks || sum.Status[c.status] != n {
			t.Errorf("%d answers: %d requests for %d webhooks; summary %s", c.status, n, sum.Webhooks, sum)
		}
		if !strings.Contains(out, "dropped "+itoa(sum.Webhooks)+",") {
			t.Errorf("%d answers: the final line does not say %d dropped:\n%s", c.status, sum.Webhooks, out)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		" 0 ":                           0,
		"-3":                            0,
		"soon":                          0,
		"Fri, 02 Jan 2026 03:04:35 GMT": 30 * time.Second,
		"Fri, 02 Jan 2026 03:00:00 GMT": 0,
	} {
		if got := retryAfter(h, now); got != want {
			t.Errorf("Retry-After %q: %s, want %s", h, got, want)
		}
	}
}
