package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/meetboard/meetboard/models/dbtest"
)

// sortedSet is the values, sorted, failing the test on a repeat.
func sortedSet(t *testing.T, what string, values []string) []string {
	t.Helper()
	out := slices.Clone(values)
	slices.Sort(out)
	for i := 1; i < len(out); i++ {
		if out[i] == out[i-1] {
			t.Errorf("%s: %q twice", what, out[i])
		}
	}
	return out
}

// TestListExports posts 520 meetings, each with a recording, an HLS stream
// and a call, half of them failed, and downloads every list's CSV with
// and without its filters: each holds every row the filters select (more
// than a page of the list, more than a page of the export), the same rows
// as its JSON API read page by page through "next", with the page's
// columns plus ids and URLs. Each list's page links its CSV with its
// filters.
func TestListExports(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := start(t, map[string]string{"DATABASE_URL": url})
		const n = 520
		var groups [][][]byte
		for i := range n {
			m := fmt.Sprintf("exp-%03d", i)
			rec, hls, call, status := "recording-stopped", "hls-playable", "call-answered", "ANSWERED"
			if i%2 == 0 {
				rec, hls, call, status = "recording-failed", "hls-failed", "call-transfer-failed", "TRANSFER_FAILED"
			}
			groups = append(groups, [][]byte{
				jobHook(rec, m, fmt.Sprintf("r%03d", i)),
				jobHook(hls, m, fmt.Sprintf("h%03d", i)),
				callHook(call, m, fmt.Sprintf("c%03d", i), status),
			})
		}
		s.postMany(t, spread(8, groups))
		s.settle(t)

		// What the filters select: meetings exp-1xx, the even ones failed.
		var hundreds, failedHundreds []string
		for i := 100; i < 200; i++ {
			hundreds = append(hundreds, fmt.Sprintf("exp-%03d", i))
			if i%2 == 0 {
				failedHundreds = append(failedHundreds, fmt.Sprintf("exp-%03d", i))
			}
		}
		for _, c := range []struct {
			csv, api, key    string
			csvID, apiID     string
			want             int
			meetings         []string // the meetings the rows must be of, when filtered
			header, contains []string
		}{
			{"/meetings.csv", "/api/meetings", "meetings", "meeting_id", "meetingId", n, nil,
				[]string{"meeting_id", "provider", "live", "live_sessions", "in_room", "first_seen_utc", "last_event_utc", "join_url", "page_url"}, nil},
			{"/meetings.csv?meeting=exp-1", "/api/meetings?meeting=exp-1", "meetings", "meeting_id", "meetingId", 100, hundreds, nil, nil},
			{"/recordings.csv", "/api/recordings", "recordings", "recording_id", "id", n, nil,
				[]string{"meeting_id", "provider", "session_id", "kind", "recording_id", "status", "message", "page_url"}, nil},
			{"/recordings.csv?status=failed&meeting=exp-1", "/api/recordings?status=failed&meeting=exp-1", "recordings", "recording_id", "id", 50, failedHundreds, nil, []string{"failed"}},
			{"/streams.csv?status=playable", "/api/streams?status=playable", "streams", "stream_id", "id", n / 2, nil,
				[]string{"stream_id", "status", "playback_hls_url", "livestream_url", "page_url"}, []string{"playable"}},
			{"/streams.csv?meeting=exp-1&status=FAILED", "/api/streams?meeting=exp-1&status=failed", "streams", "stream_id", "id", 50, failedHundreds, nil, []string{"failed"}},
			{"/calls.csv?status=failed", "/api/calls?status=failed", "calls", "call_id", "callId", n / 2, nil,
				[]string{"call_id", "direction", "from", "to", "status", "steps", "page_url"}, []string{"TRANSFER_FAILED"}},
			{"/calls.csv", "/api/calls", "calls", "call_id", "callId", n, nil, nil, nil},
			{"/events.csv?meeting=exp-1", "/api/events?meeting=exp-1", "events", "event_id", "id", 300, nil,
				[]string{"event_id", "received_utc", "meeting_id", "provider", "type", "outcome", "body", "event_url", "page_url"}, nil},
			{"/events.csv", "/api/events", "events", "event_id", "id", 3 * n, nil, nil, nil},
			{"/problems.csv", "/api/problems", "problems", "page_url", "link", 3 * n / 2, nil,
				[]string{"at_utc", "kind", "what", "reason", "meeting_id", "provider", "page_url"}, nil},
			{"/problems.csv?meeting=exp-1", "/api/problems?meeting=exp-1", "problems", "page_url", "link", 150, failedHundreds, nil, nil},
		} {
			table := s.getCSV(t, c.csv)
			if len(table.rows) != c.want {
				t.Errorf("%s: %d rows, want %d", c.csv, len(table.rows), c.want)
			}
			for _, col := range c.header {
				if !slices.Contains(table.header, col) {
					t.Errorf("%s: no column %s in %v", c.csv, col, table.header)
				}
			}
			api := s.apiWalk(t, c.api, c.key, 100)
			ids := table.column(c.csvID)
			fromAPI := field(api, c.apiID)
			if c.key == "problems" {
				// The CSV's links are absolute.
				for i := range ids {
					ids[i] = strings.TrimPrefix(ids[i], s.URL)
				}
				// A meeting's problems share its link: compare with kinds.
				for i, r := range table.rows {
					ids[i] += " " + r["kind"]
				}
				for i, r := range api {
					fromAPI[i] += " " + fmt.Sprint(r["kind"])
				}
			}
			if got, want := sortedSet(t, c.csv, ids), sortedSet(t, c.api, fromAPI); !slices.Equal(got, want) {
				t.Errorf("%s holds other rows than %s: %d against %d", c.csv, c.api, len(got), len(want))
			}
			if c.meetings != nil {
				got := sortedSet(t, c.csv+" meetings", slices.Compact(slices.Sorted(slices.Values(table.column("meeting_id")))))
				if !slices.Equal(got, c.meetings) {
					t.Errorf("%s: rows of meetings %v, want %v", c.csv, got, c.meetings)
				}
			}
			for _, r := range table.rows {
				if link := r["page_url"]; link != "" && !strings.HasPrefix(link, s.URL+"/meetings/"+r["meeting_id"]) {
					t.Errorf("%s: page_url %q for meeting %q", c.csv, link, r["meeting_id"])
				}
				for _, want := range c.contains {
					if !strings.Contains(r["status"]+r["steps"], want) {
						t.Errorf("%s: a row without %s: %v", c.csv, want, r)
					}
				}
			}
			if c.key == "events" {
				var body map[string]any
				if err := json.Unmarshal([]byte(table.rows[0]["body"]), &body); err != nil || body["webhookType"] == nil {
					t.Errorf("%s: the body column is not the delivery: %q", c.csv, table.rows[0]["body"])
				}
			}
		}

		// The pages show a page of each list, and link the whole list with
		// its filters (not its place).
		for _, c := range []struct{ page, rows, csv string }{
			{"/meetings", "#meetings-list tbody tr", "/meetings.csv"},
			{"/recordings?status=failed&meeting=exp-1&page=2", "#recordings-list tbody tr", "/recordings.csv?meeting=exp-1&status=failed"},
			{"/streams?meeting=exp-", "#streams-list tbody tr", "/streams.csv?meeting=exp-"},
			{"/calls?status=failed", "#calls-list .job", "/calls.csv?status=failed"},
			{"/events?meeting=exp-1&before=999999", "#events-list tbody tr", "/events.csv?meeting=exp-1"},
			{"/problems", "#problems-list tbody tr", "/problems.csv"},
		} {
			doc := s.page(t, c.page)
			if rows := doc.Find(c.rows).Length(); rows > 50 {
				t.Errorf("%s shows %d rows, more than a page", c.page, rows)
			}
			// The export link is beside the filter: in the header, or under
			// the title where the page has a filter form of its own.
			if href, _ := doc.Find("header form.filter a.export, main .row a.export").Attr("href"); href != c.csv {
				t.Errorf("%s links its CSV as %q, want %q", c.page, href, c.csv)
			}
		}
		if doc := s.page(t, "/"); doc.Find("a.export").Length() != 0 {
			t.Error("the live rooms page links a CSV it has not")
		}

		// Wrong filters are refused before anything is sent.
		for _, path := range []string{"/recordings.csv?status=bogus", "/api/recordings?before=nonsense", "/api/meetings?before=1.2&offset=3"} {
			if resp, body := get(t, http.DefaultClient, s.URL+path, nil); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %d %.200s, want 400", path, resp.StatusCode, body)
			}
		}
	})
}
