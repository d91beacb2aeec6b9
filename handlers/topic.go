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
	pageEvent      = "event"
	pageProblems   = "problems"
	pageAlerts     = "alerts"
	pageProviders  = "providers"
	pageProvider   = "provider"
)

// topic is what one page shows: its kind, its meeting filter (or, for a
// meeting's page, the meeting id), its status filter, where it is in a
// paged list, and, for a provider's health page, the provider. Its string
// form names the live topic that page subscribes to, so two browsers
// showing the same thing share one render per change.
type topic struct {
	Kind    string
	Meeting string
	// Status is one of listStatuses(Kind), or empty for all.
	Status string
	Page   int
	Before uint64
	// Cursor is where a page of problems starts (a models.ProblemCursor,
	// canonical), "" for the newest.
	Cursor   string
	Provider string
	// Range is the charts' range (see chartsRangeParam), "" for the last
	// hour.
	Range string
	// Log is the event log's filter besides the meeting (see logFilter).
	Log logFilter
	// Event is the event an event's page shows.
	Event uint64
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
	if t.Status != "" {
		v.Set("status", t.Status)
	}
	if t.Page > 1 {
		v.Set("page", strconv.Itoa(t.Page))
	}
	if t.Before > 0 {
		v.Set("before", strconv.FormatUint(t.Before, 10))
	}
	if t.Cursor != "" {
		v.Set("before", t.Cursor)
	}
	if t.Provider != "" {
		v.Set("provider", t.Provider)
	}
	if t.Range != "" {
		v.Set("range", t.Range)
	}
	t.Log.set(v)
	if t.Event > 0 {
		v.Set("id", strconv.FormatUint(t.Event, 10))
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
	case pageRooms, pageMeeting, pageMeetings, pageRecordings, pageStreams, pageCalls, pageEvents, pageEvent, pageProblems, pageAlerts,
		pageProviders, pageProvider, pageCharts:
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
	if b := v.Get("before"); b != "" && kind == pageProblems {
		c, err := models.ParseProblemCursor(b)
		if err != nil {
			return topic{}, err
		}
		t.Cursor = c.String()
	} else if b != "" {
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
	var err error
	if t.Status, err = listStatus(kind, v.Get("status")); err != nil {
		return topic{}, err
	}
	// What a page does not show by does not make it another topic: every
	// variant would be rendered again at each change.
	switch kind {
	case pageMeeting:
		t.Page, t.Before = 1, 0
	case pageEvents:
		t.Page = 1
		if t.Log, err = parseLogFilter(v); err != nil {
			return topic{}, err
		}
	case pageProblems:
		t.Page = 1
	case pageAlerts:
		// Alerts have no meeting filter: one list for everyone.
		t.Page, t.Meeting = 1, ""
	case pageProviders, pageProvider:
		return providerTopic(kind, v.Get("provider"))
	case pageCharts:
		// The charts are of everything: no filter, no pages.
		t.Page, t.Meeting, t.Before = 1, "", 0
		if t.Range, err = chartsRangeParam(v.Get("range")); err != nil {
			return topic{}, err
		}
	case pageEvent:
		return eventTopic(v)
	default:
		t.Before = 0
	}
	return t, nil
}

// affectedBy reports whether a change to the given meetings (and, when
// others is true, to events of no meeting) can change what t shows.
func (t topic) affectedBy(meetings map[string]bool, others bool) bool {
	switch t.Kind {
	case pageProviders, pageProvider:
		// Every commit of the event log counts as deliveries, and refusals
		// come as changes to no meeting (see models.appendChange).
		return others || len(meetings) > 0
	case pageMeeting:
		return meetings[t.Meeting]
	case pageEvents, pageProblems:
		if others && t.Meeting == "" {
			return true
		}
	case pageAlerts:
		// Raising an alert and recording its delivery are changes of no
		// meeting.
		return others
	case pageCharts:
		// Rendered every chartsEvery instead (see showsCharts).
		return false
	case pageEvent:
		// Any commit may be the event's outcome or its next neighbour.
		return others || len(meetings) > 0
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
