package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// alertReceiver is a URL alerts are sent to: it answers each POST with the
// next status of its script (200 once the script ends) and keeps what it
// was sent.
type alertReceiver struct {
	mu       sync.Mutex
	script   []int
	messages []alertMessage
	arrived  chan struct{}
}

// alertMessage is what the dashboard POSTs.
type alertMessage struct {
	Text   string `json:"text"`
	Alerts []struct {
		ID        uint64 `json:"id"`
		Kind      string `json:"kind"`
		MeetingID string `json:"meetingId"`
		Reason    string `json:"reason"`
		Link      string `json:"link"`
		Status    string `json:"status"`
	} `json:"alerts"`
}

func newAlertReceiver(t *testing.T, script ...int) (*alertReceiver, string) {
	r := &alertReceiver{script: script, arrived: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var m alertMessage
		if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &m) != nil {
			t.Errorf("alert request: %s %s %q", req.Method, req.Header.Get("Content-Type"), body)
		}
		r.mu.Lock()
		status := http.StatusOK
		if len(r.script) > 0 {
			status, r.script = r.script[0], r.script[1:]
		}
		r.messages = append(r.messages, m)
		r.mu.Unlock()
		w.WriteHeader(status)
		r.arrived <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return r, srv.URL + "/hooks/secret-token"
}

// wait waits for the nth message and returns it.
func (r *alertReceiver) wait(t *testing.T, n int) alertMessage {
	t.Helper()
	for {
		r.mu.Lock()
		if len(r.messages) >= n {
			m := r.messages[n-1]
			r.mu.Unlock()
			return m
		}
		r.mu.Unlock()
		select {
		case <-r.arrived:
		case <-time.After(60 * time.Second):
			t.Fatalf("alert %d never arrived", n)
		}
	}
}

// TestAlertsSent: a failed recording raises one alert, POSTed to the
// configured URL with a Slack-compatible text and tried again after the
// URL fails; a redelivery of the same failure raises nothing more, and a
// kind that was not chosen alerts no one. The alerts page and API show
// the history with each delivery's state.
func TestAlertsSent(t *testing.T) {
	recv, url := newAlertReceiver(t, http.StatusInternalServerError)
	s := start(t, map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "d.db"), "DASHBOARD_ALERT_URL": url, "DASHBOARD_ALERT_KINDS": "recording-failed"})
	failed := jobHook("recording-failed", "alert-room", "r1")
	s.applied(t, s.post(t, failed, nil))
	s.applied(t, s.post(t, jobHook("hls-failed", "alert-room", "h1"), nil)) // not a chosen kind

	first := recv.wait(t, 1)
	retried := recv.wait(t, 2)
	for _, m := range []alertMessage{first, retried} {
		if len(m.Alerts) != 1 || m.Alerts[0].Kind != "recording-failed" || m.Alerts[0].MeetingID != "alert-room" {
			t.Fatalf("alert message: %+v", m)
		}
		if !strings.Contains(m.Text, "Recording failed") || !strings.Contains(m.Text, "alert-room") {
			t.Errorf("alert text: %q", m.Text)
		}
	}

	s.applied(t, s.post(t, failed, nil)) // redelivered
	s.applied(t, s.post(t, jobHook("recording-failed", "alert-room-2", "r2"), nil))
	third := recv.wait(t, 3)
	if len(third.Alerts) != 1 || third.Alerts[0].MeetingID != "alert-room-2" {
		t.Fatalf("after a redelivery and a new failure, the third message: %+v; want the new failure alone", third)
	}

	r := s.do(t, "GET", "/api/alerts", nil, nil)
	var page struct {
		Alerts []struct {
			MeetingID string `json:"meetingId"`
			Status    string `json:"status"`
			Attempts  int    `json:"attempts"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal([]byte(r.Raw), &page); err != nil || len(page.Alerts) != 2 {
		t.Fatalf("/api/alerts: %s", r.Raw)
	}
	if a := page.Alerts[1]; a.MeetingID != "alert-room" || a.Status != "sent" || a.Attempts != 2 {
		t.Errorf("the first alert in the history: %+v; want sent on the second attempt", a)
	}
	resp, html := get(t, http.DefaultClient, s.URL+"/alerts", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(html, "alert-room-2") || !strings.Contains(html, "Notify me in this browser") ||
		strings.Contains(html, "secret-token") {
		t.Errorf("/alerts: %d\n%s", resp.StatusCode, html)
	}
}
