package main

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/meetboard/meetboard/models/dbtest"
)

// jobHook is a VideoSDK recording, HLS or livestream event of meeting m.
func jobHook(typ, meeting, id string) []byte {
	return videosdkHook(typ, map[string]any{"meetingId": meeting, "sessionId": "s-" + meeting, "id": id, "message": "reason of " + id})
}

// callHook is a VideoSDK call step of a call bridged into meeting m.
func callHook(typ, meeting, callID, status string) []byte {
	return videosdkHook(typ, map[string]any{"callId": callID, "roomId": meeting, "type": "outbound", "from": "+1", "to": "+2", "status": status})
}

// settle waits until the models have taken in every delivery answered so
// far: pages, unlike the API, do not wait for them.
func (s *server) settle(t *testing.T) {
	t.Helper()
	if r := s.do(t, "GET", "/api/meetings?limit=1", nil, nil); r.Status != http.StatusOK || r.Body["behind"] != nil {
		t.Fatalf("the models did not catch up: %d %s", r.Status, r.Raw)
	}
}

// TestListStatusFilterPages: /recordings, /streams and /calls, and their
// JSON API, take ?status= along with ?meeting=; the pages show the status
// picked in their filter form and keep both filters in their live topic;
// an unknown status is answered 400 naming the known ones.
func TestListStatusFilterPages(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := start(t, map[string]string{"DATABASE_URL": url})
		s.mustPost(t,
			jobHook("recording-stopped", "rec-ok-1", "r1"),
			jobHook("recording-failed", "rec-bad-1", "r2"),
			jobHook("recording-failed", "other-bad-1", "r3"),
			jobHook("hls-playable", "hls-ok-1", "h1"),
			jobHook("hls-failed", "hls-bad-1", "h2"),
			callHook("call-transfer-failed", "call-bad-1", "c1", "TRANSFER_FAILED"),
			callHook("call-hangup", "call-bad-1", "c1", "HANGUP"),
			callHook("call-answered", "call-ok-1", "c2", "ANSWERED"),
		)
		s.settle(t)
		page := func(path string, status int) string {
			t.Helper()
			resp, text := get(t, http.DefaultClient, s.URL+path, nil)
			if resp.StatusCode != status {
				t.Fatalf("GET %s: %d, want %d: %.300s", path, resp.StatusCode, status, text)
			}
			return text
		}
		for _, c := range []struct {
			path         string
			shows, hides []string
			selected, ws string
		}{
			{"/recordings?status=failed", []string{"rec-bad-1", "other-bad-1"}, []string{"rec-ok-1"},
				`<option value="failed" selected>`, `/live?topic=recordings%3Fstatus%3Dfailed"`},
			{"/recordings?status=FAILED&meeting=rec-", []string{"rec-bad-1"}, []string{"rec-ok-1", "other-bad-1"},
				`<option value="failed" selected>`, `/live?topic=recordings%3Fmeeting%3Drec-%26status%3Dfailed"`},
			{"/recordings?status=stopped", []string{"rec-ok-1"}, []string{"rec-bad-1"}, `<option value="stopped" selected>`, ""},
			{"/streams?status=failed", []string{"hls-bad-1"}, []string{"hls-ok-1"}, `<option value="failed" selected>`, ""},
			{"/streams?status=playable", []string{"hls-ok-1"}, []string{"hls-bad-1"}, `<option value="playable" selected>`, ""},
			{"/calls?status=failed", []string{"call-bad-1"}, []string{"call-ok-1"}, `<option value="failed" selected>`, ""},
			{"/calls", []string{"call-bad-1", "call-ok-1"}, nil, `<option value="" selected>`, ""},
		} {
			text := page(c.path, http.StatusOK)
			for _, m := range c.shows {
				if !strings.Contains(text, "/meetings/"+m) {
					t.Errorf("%s does not show %s", c.path, m)
				}
			}
			for _, m := range c.hides {
				if strings.Contains(text, "/meetings/"+m) {
					t.Errorf("%s shows %s", c.path, m)
				}
			}
			if !strings.Contains(text, c.selected) {
				t.Errorf("%s: the status select does not show %s", c.path, c.selected)
			}
			if c.ws != "" && !strings.Contains(text, c.ws) {
				t.Errorf("%s does not subscribe to %s", c.path, c.ws)
			}
		}
		if text := page("/recordings?status=starting&meeting=rec-", http.StatusOK); !strings.Contains(text, "No recording with status starting for meeting rec-.") {
			t.Errorf("an empty filtered list does not say how it is filtered: %.2000s", text)
		}
		if text := page("/meetings?status=failed", http.StatusOK); strings.Contains(text, `name="status"`) {
			t.Error("the meetings list, which has no status, offers a status filter")
		}
		text := page("/recordings?status=faild", http.StatusBadRequest)
		if !strings.Contains(text, "status must be one of starting, started, stopping, stopped, completed, cancelled, failed") {
			t.Errorf("an unknown status is not explained: %.2000s", text)
		}
		page("/calls?status=MISSED", http.StatusBadRequest)

		// The JSON API takes the same filters.
		for _, c := range []struct {
			path, key string
			want      []string
		}{
			{"/api/recordings?status=failed", "recordings", []string{"rec-bad-1", "other-bad-1"}},
			{"/api/recordings?status=Failed&meeting=rec-", "recordings", []string{"rec-bad-1"}},
			{"/api/recordings?meeting=rec-", "recordings", []string{"rec-bad-1", "rec-ok-1"}},
			{"/api/streams?status=playable", "streams", []string{"hls-ok-1"}},
			{"/api/calls?status=failed", "calls", []string{"call-bad-1"}},
		} {
			r := s.do(t, "GET", c.path, nil, nil)
			rows, _ := r.Body[c.key].([]any)
			var got []string
			for _, row := range rows {
				m, _ := row.(map[string]any)
				id, _ := m["meetingId"].(string)
				got = append(got, id)
			}
			slices.Sort(got)
			slices.Sort(c.want)
			if r.Status != http.StatusOK || !slices.Equal(got, c.want) {
				t.Errorf("%s: %d, meetings %v, want %v", c.path, r.Status, got, c.want)
			}
		}
		if r := s.do(t, "GET", "/api/streams?status=faild", nil, nil); r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, "status must be one of") {
			t.Errorf("an unknown status from the API: %d %s", r.Status, r.Raw)
		}
		if r := s.do(t, "GET", "/api/calls?limit=many", nil, nil); r.Status != http.StatusBadRequest {
			t.Errorf("a bad limit from the API: %d %s", r.Status, r.Raw)
		}

		// The live topic of a filtered list keeps its filter: a stopped
		// recording changes nothing it shows, the next failure does.
		c := s.subscribe(t, "recordings?meeting=rec-&status=failed", nil, false)
		if snap := c.next(t); !strings.Contains(snap, "rec-bad-1") || strings.Contains(snap, "rec-ok-1") {
			t.Fatalf("snapshot of the failed recordings: %.2000s", snap)
		}
		s.mustPost(t, jobHook("recording-stopped", "rec-ok-2", "r4"), jobHook("recording-failed", "rec-bad-2", "r5"))
		if msg := c.next(t); !strings.Contains(msg, "rec-bad-2") || strings.Contains(msg, "rec-ok-2") {
			t.Errorf("the filtered topic's next message: %.2000s", msg)
		}
	})
}
