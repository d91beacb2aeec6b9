package main

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// page reads a page of the dashboard.
func (s *server) page(t *testing.T, path string) *goquery.Document {
	t.Helper()
	resp, html := get(t, http.DefaultClient, s.URL+path, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", path, resp.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestFilteredEmptyStates: when a filter matches nothing, every list says
// so, says how many rows the filter hides (as many as the list shows
// without it), and links to the list without the filter.
func TestFilteredEmptyStates(t *testing.T) {
	s := start(t, tempDBEnv(t))
	lists := []struct {
		path, list, none, counted string
		rows                      string // the list's rows on its page without a filter
	}{
		{"/", "#rooms-summary", "live meeting", "live room", "#rooms-live article.room"},
		{"/", "#rooms-recent", "ended session", "ended session", "#rooms-recent tbody tr"},
		{"/meetings", "#meetings-list", "meeting", "meeting", "#meetings-list tbody tr"},
		{"/recordings", "#recordings-list", "recording", "recording", "#recordings-list tbody tr"},
		{"/streams", "#streams-list", "stream", "stream", "#streams-list tbody tr"},
		{"/calls", "#calls-list", "call", "call", "#calls-list .job"},
		{"/events", "#events-list", "event", "event", "#events-list tbody tr"},
	}
	events := 0 // the event log pages by 50: its rows are counted as posted
	check := func(filter string, want func(n int) string) {
		t.Helper()
		for _, l := range lists {
			n := s.page(t, l.path).Find(l.rows).Length()
			if l.path == "/events" {
				n = events
			}
			empty := s.page(t, l.path+"?meeting="+filter).Find(l.list + " .empty")
			text := strings.Join(strings.Fields(empty.Text()), " ")
			head := fmt.Sprintf("No %s matches %q", l.none, filter)
			if !strings.HasPrefix(text, head) || !strings.Contains(text, want(n)) {
				t.Errorf("%s %s under the filter %q (%d rows without it) says %q, want %q…%q", l.path, l.list, filter, n, text, head, want(n))
			}
			if a := empty.Find("a"); a.Text() != "Clear the filter" || a.AttrOr("href", "") != l.path {
				t.Errorf("%s %s: link %q to %q, want Clear the filter to %s", l.path, l.list, a.Text(), a.AttrOr("href", ""), l.path)
			}
		}
	}
	check("zzz", func(int) string { return ", and there is none without the filter either." })

	for _, b := range v2Fixtures(t) {
		s.mustPost(t, b)
		events++
	}
	s.mustPost(t, joined("alpha-1", "Ada"), joined("alpha-2", "Bo"))
	events += 2
	s.do(t, "GET", "/api/meetings", nil, nil) // waits until the models have it all
	counted := regexp.MustCompile(`— (\d+) `)
	for _, l := range lists {
		if n := s.page(t, l.path).Find(l.rows).Length(); n == 0 {
			t.Fatalf("%s shows no %s without a filter", l.path, l.counted)
		}
	}
	check("zzz", func(n int) string {
		if n == 1 {
			return "— 1 "
		}
		return fmt.Sprintf("— %d ", n)
	})
	// The wording agrees with the number.
	for _, l := range lists {
		text := strings.Join(strings.Fields(s.page(t, l.path+"?meeting=zzz").Find(l.list+" .empty").Text()), " ")
		m := counted.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		want := fmt.Sprintf("— %s %ss are hidden by the filter.", m[1], l.counted)
		if m[1] == "1" {
			want = fmt.Sprintf("— 1 %s is hidden by the filter.", l.counted)
		}
		if !strings.Contains(text, want) {
			t.Errorf("%s %s: %q, want %q", l.path, l.list, text, want)
		}
	}
}
