package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/meetboard/meetboard/models/dbtest"
	"github.com/meetboard/meetboard/views"
)

// TestSearchAPIAndPage: the search finds a meeting by its id in another
// case and a participant by part of their name, as JSON and as a page whose
// links open the meeting at the participant's row; every page has the
// search box; a search too short is refused.
func TestSearchAPIAndPage(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dbURL string) {
		s := start(t, map[string]string{"DATABASE_URL": dbURL})
		room := map[string]any{"meetingId": "demo-zzg4", "sessionId": "s-1"}
		s.mustPost(t,
			videosdkHook("session-started", room),
			videosdkHook("participant-joined", withFields(room, "participantId", "ada-1", "participantName", "Ada Lovelace")),
			videosdkHook("participant-joined", withFields(room, "participantId", "bob-2", "participantName", "Bob Builder")),
		)

		r := s.do(t, "GET", "/api/search?q="+url.QueryEscape("DEMO-ZZG4"), nil, nil)
		meetings, _ := r.Body["meetings"].([]any)
		if r.Status != http.StatusOK || len(meetings) != 1 || meetings[0].(map[string]any)["meetingId"] != "demo-zzg4" {
			t.Fatalf("GET /api/search?q=DEMO-ZZG4: %d %s", r.Status, r.Raw)
		}
		if live, _ := meetings[0].(map[string]any)["live"].(bool); !live {
			t.Errorf("the meeting is live, the search says %s", r.Raw)
		}
		r = s.do(t, "GET", "/api/search?q=lovel", nil, nil)
		people, _ := r.Body["participants"].([]any)
		if len(people) != 1 {
			t.Fatalf("GET /api/search?q=lovel: %s", r.Raw)
		}
		ada := people[0].(map[string]any)
		link, _ := ada["link"].(string)
		if ada["name"] != "Ada Lovelace" || ada["meetingId"] != "demo-zzg4" || ada["sessionId"] != "s-1" || ada["present"] != true ||
			!strings.HasPrefix(link, "/meetings/demo-zzg4#participant-") {
			t.Errorf("Ada: %v", ada)
		}
		for _, bad := range []string{"/api/search?q=a", "/api/search?q=", "/api/search?q=ada&limit=x"} {
			if r := s.do(t, "GET", bad, nil, nil); r.Status != http.StatusBadRequest || r.Body["error"] == "" {
				t.Errorf("GET %s: %d %s, want 400 with the reason", bad, r.Status, r.Raw)
			}
		}

		doc := s.page(t, "/search?q=lovel")
		href, _ := doc.Find("#search-results table.search-people a").First().Attr("href")
		if href != link {
			t.Errorf("the page links Ada to %q, the API to %q", href, link)
		}
		if v, _ := doc.Find(`header form.site-search input[name="q"]`).Attr("value"); v != "lovel" {
			t.Errorf("the header's search box holds %q on the search page", v)
		}
		_, anchor, _ := strings.Cut(link, "#")
		if doc := s.page(t, "/meetings/demo-zzg4"); doc.Find("#"+anchor).Length() != 1 ||
			!strings.Contains(doc.Find("#"+anchor).Text(), "Ada Lovelace") {
			t.Errorf("the meeting's page has no row #%s holding Ada", anchor)
		}
		for _, path := range views.NavPaths() {
			if s.page(t, path).Find(`header form.site-search[action="/search"] input[name="q"]`).Length() != 1 {
				t.Errorf("%s has no search box in its header", path)
			}
		}
		resp, html := get(t, http.DefaultClient, s.URL+"/search?q=a", nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(html, "Type at least 2 characters.") {
			t.Errorf("GET /search?q=a: %d, want 400 saying why", resp.StatusCode)
		}
	})
}
