package handlers

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/views"
)

// Page kinds: each is a page of the dashboard and a kind of live topic.
const (
	pageRooms      = "rooms"
	pageMeeting    = "meeting"
	pageMeetings   = "meetings"
	pageRecordings = "recordings"
	pageStreams    = "streams"
	pageCalls      = "calls"
	pageEvents     = "events"
)

// topic is what one page shows: its kind, its meeting filter (or, for a
// meeting's page, the meeting id), and where it is in a paged list. Its
// string form names the live topic that page subscribes to, so two
// browsers showing the same thing share one render per change.
type topic struct {
	Kind    string
	Meeting string
	Page    int
	Before  uint64
	// View is the live-rooms board's view: views.ViewTable, or "" for the
	// cards (other pages have none).
	View string
}

// String is the canonical topic name, e.g. "recordings?meeting=abc&page=2".
func (t topic) String() string {
	v := url.Values{}
	if t.Meeting != "" {
		v.Set("meeting", t.Meeting)
	}
	if t.Page > 1 {
		v.Set("page", strconv.Itoa(t.Page))
	}
	if t.Before > 0 {
		v.Set("before", strconv.FormatUint(t.Before, 10))
	}
	if t.View != "" {
		v.Set("view", t.View)
	}
	if len(v) == 0 {
		return t.Kind
	}
	return t.Kind + "?" + v.Encode()
}

// LiveURL is the websocket a page showing t subscribes to.
func (t topic) LiveURL() string { return "/live?topic=" + url.QueryEscape(t.String()) }

// parseTopic reads a topic name back. It copies s first: a name read from
// an upgraded request points into memory the server reuses.
func parseTopic(s string) (topic, error) {
	kind, query, _ := strings.Cut(strings.Clone(s), "?")
	switch kind {
	case pageRooms, pageMeeting, pageMeetings, pageRecordings, pageStreams, pageCalls, pageEvents:
	default:
		return topic{}, fmt.Errorf("unknown topic %q", kind)
	}
	v, err := url.ParseQuery(query)
	if err != nil {
		return topic{}, fmt.Errorf("topic %q: %w", s, err)
	}
	return topicFrom(kind, v)
}

// topicFrom builds a topic from a page's query parameters. Parameters the
// page of that kind ignores are dropped, so one page has one topic name
// (rooms?before=1 and rooms?before=2 are both "rooms"; only the event log
// pages by event id, and a meeting's page does not page at all).
func topicFrom(kind string, v url.Values) (topic, error) {
	t := topic{Kind: kind, Meeting: strings.TrimSpace(v.Get("meeting")), Page: 1}
	if p := v.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100000 {
			return topic{}, fmt.Errorf("page must be a number from 1, got %q", p)
		}
		t.Page = n
	}
	if b := v.Get("before"); b != "" {
		n, err := strconv.ParseUint(b, 10, 64)
		if err != nil {
			return topic{}, fmt.Errorf("before must be an event id, got %q", b)
		}
		t.Before = n
	}
	if kind == pageMeeting && t.Meeting == "" {
		return topic{}, fmt.Errorf("a meeting topic needs a meeting id")
	}
	if len(t.Meeting) > models.MaxIDLength {
		return topic{}, fmt.Errorf("a meeting id or filter is at most %d bytes, got %d", models.MaxIDLength, len(t.Meeting))
	}
	// The board has two views; any other value is the cards.
	if kind == pageRooms && v.Get("view") == views.ViewTable {
		t.View = views.ViewTable
	}
	// What a page does not show by does not make it another topic: every
	// variant would be rendered again at each change.
	switch kind {
	case pageMeeting:
		t.Page, t.Before = 1, 0
	case pageEvents:
		t.Page = 1
	default:
		t.Before = 0
	}
	return t, nil
}

// affectedBy reports whether a change to the given meetings (and, when
// others is true, to events of no meeting) can change what t shows.
func (t topic) affectedBy(meetings map[string]bool, others bool) bool {
	switch t.Kind {
	case pageMeeting:
		return meetings[t.Meeting]
	case pageEvents:
		if others && t.Meeting == "" {
			return true
		}
	}
	if t.Meeting == "" {
		return len(meetings) > 0
	}
	for m := range meetings {
		if strings.HasPrefix(m, t.Meeting) {
			return true
		}
	}
	return false
}
