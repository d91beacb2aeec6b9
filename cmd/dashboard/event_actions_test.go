package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestEventActions: the event log page's operator actions (apply an event
// again, rebuild the models) work from the dashboard's own page, and a
// form posted from another site is refused, even in open mode where there
// is no session to check.
func TestEventActions(t *testing.T) {
	s := start(t, tempDBEnv(t))
	r := s.post(t, joined("acted-on", "P"), nil)
	if s.applied(t, r) != "applied" {
		t.Fatalf("setup: %s", r.Raw)
	}
	id := int64(r.Body["eventId"].(float64))
	post := func(path, origin string) int {
		req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(url.Values{"_csrf": {""}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := browserClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	reapply := fmt.Sprintf("/events/%d/reapply", id)
	for _, path := range []string{reapply, "/events/rebuild"} {
		if got := post(path, "http://evil.example"); got != http.StatusForbidden {
			t.Errorf("%s from another site: %d, want 403", path, got)
		}
	}
	if got := post(reapply, s.URL); got != http.StatusSeeOther {
		t.Errorf("apply again from the page: %d, want 303", got)
	}
	if e := s.do(t, "GET", fmt.Sprintf("/api/events/%d", id), nil, nil); e.Body["outcome"] != "no-change" {
		t.Errorf("the event applied again: %s, want outcome no-change", e.Raw)
	}
	if got := post("/events/999999/reapply", s.URL); got != http.StatusNotFound {
		t.Errorf("apply again an event not in the log: %d, want 404", got)
	}
	if got := post("/events/rebuild", s.URL); got != http.StatusSeeOther {
		t.Errorf("rebuild from the page: %d, want 303", got)
	}
	m := s.do(t, "GET", "/api/meetings/acted-on", nil, nil)
	if ps, _ := m.Body["participants"].([]any); len(ps) != 1 || m.Body["behind"] != nil {
		t.Errorf("the meeting after the rebuild: %s", m.Raw)
	}
	if e := s.do(t, "GET", fmt.Sprintf("/api/events/%d", id), nil, nil); e.Body["outcome"] != "applied" {
		t.Errorf("the event after the rebuild: %s, want outcome applied", e.Raw)
	}
	_, page := get(t, browserClient(), s.URL+"/events", nil)
	for _, want := range []string{`id="actions"`, `formaction="/events/rebuild"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the event log page lacks %s", want)
		}
	}
}
