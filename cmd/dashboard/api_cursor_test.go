package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
)

// apiRows reads one page of an API list: its rows under key.
func (s *server) apiRows(t *testing.T, path, key string) []map[string]any {
	t.Helper()
	var page map[string]json.RawMessage
	s.getJSON(t, path, &page)
	var rows []map[string]any
	if err := json.Unmarshal(page[key], &rows); err != nil {
		t.Fatalf("%s: %s: %v", path, key, err)
	}
	return rows
}

// TestAPICursors reads the JSON lists page by page through each answer's
// "next": every row once, in the order of one long page, with offsets
// still working; and the participants API filtered and paged the same way.
func TestAPICursors(t *testing.T) {
	s := start(t, tempDBEnv(t))
	var bodies [][]byte
	for i := range 7 {
		m := fmt.Sprintf("cur-%d", i)
		bodies = append(bodies, jobHook("recording-started", m, "r"+m), jobHook("hls-started", m, "h"+m),
			callHook("call-answered", m, "c"+m, "ANSWERED"), presenceHook("participant-joined", m, "s-"+m, "p", fmt.Sprint("Person ", i)))
	}
	s.mustPost(t, bodies...)
	for _, c := range []struct{ path, key, id string }{
		{"/api/meetings", "meetings", "meetingId"},
		{"/api/recordings", "recordings", "id"},
		{"/api/streams", "streams", "id"},
		{"/api/calls", "calls", "callId"},
		{"/api/events?meeting=cur-", "events", "id"},
		{"/api/participants", "participants", "meetingId"},
	} {
		want := field(s.apiRows(t, c.path, c.key), c.id)
		if len(want) < 7 {
			t.Fatalf("%s: %d rows", c.path, len(want))
		}
		for _, limit := range []int{1, 2, 3} {
			if got := field(s.apiWalk(t, c.path, c.key, limit), c.id); !slices.Equal(got, want) {
				t.Errorf("%s by %d: %v, want %v", c.path, limit, got, want)
			}
		}
	}
	if got := field(s.apiRows(t, "/api/recordings?limit=2&offset=2", "recordings"), "id"); len(got) != 2 {
		t.Errorf("offsets: %v", got)
	}
	for _, path := range []string{"/api/recordings?before=x", "/api/calls?before=1.2&offset=1", "/api/participants?present=maybe", "/api/participants?before=-1"} {
		if resp, body := get(t, http.DefaultClient, s.URL+path, nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %.200s, want 400", path, resp.StatusCode, body)
		}
	}
}
