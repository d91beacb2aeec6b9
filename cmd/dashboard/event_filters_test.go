package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models/dbtest"
)

// dailyJoin is a Daily participant.joined delivery.
func dailyJoin(id, room, user string) []byte {
	return []byte(fmt.Sprintf(`{"version":"1.0.0","type":"participant.joined","id":%q,"payload":{"room":%q,"session_id":"s-%s","user_id":%q,"user_name":%q,"joined_at":%d},"event_ts":%d}`,
		id, room, room, user, user, time.Now().Unix(), time.Now().Unix()))
}

// postDailyBody delivers a Daily webhook and returns its event id.
func (s *server) postDailyBody(t *testing.T, body []byte) int {
	t.Helper()
	r := s.do(t, http.MethodPost, "/webhooks/daily", body, nil)
	id, ok := r.Body["eventId"].(float64)
	if r.Status != http.StatusOK || !ok {
		t.Fatalf("POST /webhooks/daily: %d %s", r.Status, r.Raw)
	}
	return int(id)
}

// eventIDs reads /api/events with a query and returns the ids, newest first.
func (s *server) eventIDs(t *testing.T, query string) []int {
	t.Helper()
	r := s.do(t, http.MethodGet, "/api/events?"+query, nil, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/events?%s: %d %s", query, r.Status, r.Raw)
	}
	out := []int{}
	events, _ := r.Body["events"].([]any)
	for _, e := range events {
		out = append(out, int(e.(map[string]any)["id"].(float64)))
	}
	return out
}

// TestEventLogFiltersAndPermalinks: the JSON API and the event log's page
// filter by provider, type, outcome and time; each event has a page of its
// own, linked from its row; recordings have anchors and links on the
// meeting's page and in their list.
func TestEventLogFiltersAndPermalinks(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dbURL string) {
		s := start(t, map[string]string{"DATABASE_URL": dbURL})
		room := map[string]any{"meetingId": "room-a", "sessionId": "s-a"}
		joined := s.postEvent(t, "participant-joined", withFields(room, "participantId", "ada", "participantName", "Ada"))
		daily := s.postDailyBody(t, dailyJoin("evt-1", "consult-42", "Lee"))
		custom := s.postEvent(t, "custom-thing", room)
		rec := s.postEvent(t, "recording-started", withFields(room, "id", "rec-1"))
		future := url.QueryEscape(time.Now().UTC().Add(2 * time.Hour).Format(time.RFC3339))

		for _, c := range []struct {
			query string
			want  []int
		}{
			{"provider=daily", []int{daily}},
			{"provider=videosdk&type=participant-joined", []int{joined}},
			{"type=participant.joined", []int{daily}},
			{"outcome=stored", []int{custom}},
			{"outcome=applied&meeting=room", []int{rec, joined}},
			{"from=" + future, []int{}},
			{"to=" + future + "&provider=videosdk&limit=2", []int{rec, custom}},
		} {
			got := s.eventIDs(t, c.query)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("GET /api/events?%s: events %v, want %v", c.query, got, c.want)
			}
		}
		for _, bad := range []string{"provider=zoom", "outcome=fine", "from=soon", "type=" + strings.Repeat("x", 101)} {
			if r := s.do(t, http.MethodGet, "/api/events?"+bad, nil, nil); r.Status != http.StatusBadRequest || r.Body["error"] == "" {
				t.Errorf("GET /api/events?%s: %d %s, want 400 saying why", bad, r.Status, r.Raw)
			}
		}

		doc := s.page(t, "/events?provider=daily")
		if n := doc.Find("#events-list tbody tr").Length(); n != 1 {
			t.Errorf("/events?provider=daily shows %d rows, want 1", n)
		}
		if v, _ := doc.Find(`form.events-filter select[name="provider"] option[selected]`).Attr("value"); v != "daily" {
			t.Errorf("the provider filter shows %q", v)
		}
		if ws, _ := doc.Find("main").Attr("ws-connect"); ws != "/live?topic="+url.QueryEscape("events?provider=daily") {
			t.Errorf("the filtered event log subscribes to %q", ws)
		}
		link, _ := doc.Find("#events-list tbody tr a[href^='/events/']").Attr("href")
		if link != fmt.Sprintf("/events/%d", daily) {
			t.Errorf("the row links to %q, want its event's page", link)
		}
		resp, _ := get(t, http.DefaultClient, s.URL+"/events?outcome=fine", nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("/events?outcome=fine: %d, want 400", resp.StatusCode)
		}

		doc = s.page(t, link)
		if text := doc.Find("#event-detail").Text(); !strings.Contains(text, "participant.joined") || !strings.Contains(text, `"user_name": "Lee"`) {
			t.Errorf("the event's page does not show its type and its body:\n%s", text)
		}
		if href, _ := doc.Find("#event-detail dl a").First().Attr("href"); href != fmt.Sprintf("/meetings/consult-42#event-%d", daily) {
			t.Errorf("the event's page links its meeting as %q", href)
		}
		if href, _ := doc.Find(`#event-detail nav a:contains("Older event")`).Attr("href"); href != fmt.Sprintf("/events/%d", joined) {
			t.Errorf("the older event is %q, want /events/%d", href, joined)
		}
		for path, status := range map[string]int{"/events/999999": http.StatusNotFound, "/events/abc": http.StatusBadRequest} {
			if resp, _ := get(t, http.DefaultClient, s.URL+path, nil); resp.StatusCode != status {
				t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, status)
			}
		}

		list := s.page(t, "/recordings")
		id, _ := list.Find("#recordings-list tbody tr").Attr("id")
		if !strings.HasPrefix(id, "recording-") {
			t.Fatalf("a recording's row has the id %q", id)
		}
		want := "/meetings/room-a#" + id
		if href, _ := list.Find("#" + id + " a.permalink").Attr("href"); href != want {
			t.Errorf("the recording's link in the list is %q, want %q", href, want)
		}
		if copy, _ := list.Find("#" + id + " button.copy").Attr("data-copy"); copy != want {
			t.Errorf("the recording's copy button copies %q, want %q", copy, want)
		}
		if meeting := s.page(t, "/meetings/room-a"); meeting.Find("#meeting-recordings #"+id).Length() != 1 {
			t.Errorf("the meeting's page has no element #%s among its recordings", id)
		}
	})
}
