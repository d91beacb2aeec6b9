package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// postEvent delivers a VideoSDK webhook and returns its event id.
func (s *server) postEvent(t *testing.T, typ string, data map[string]any) int {
	t.Helper()
	r := s.post(t, videosdkHook(typ, data), nil)
	id, ok := r.Body["eventId"].(float64)
	if r.Status != 200 || !ok {
		t.Fatalf("POST %s: %d %s", typ, r.Status, r.Raw)
	}
	return int(id)
}

// TestBrowserEventBodyStaysOpen opens an event's body in the event log and
// lets new events arrive: the body stays open, the columns keep their
// widths, and the row being read stays where it is on the screen.
func TestBrowserEventBodyStaysOpen(t *testing.T) {
	s := start(t, tempDBEnv(t))
	var ids []int
	for i := range 30 {
		ids = append(ids, s.postEvent(t, "participant-joined", map[string]any{"meetingId": fmt.Sprintf("room-%02d", i%3),
			"sessionId": "s", "participantId": fmt.Sprint("p", i), "participantName": fmt.Sprint("Person ", i)}))
	}
	b := newTab(t, s.URL, 1280, 900)
	b.open("/events")
	b.waitLive(10 * time.Second)

	// Open the body of an event halfway down and scroll to it, as an
	// operator reading it would.
	read := fmt.Sprintf("event-%d", ids[15])
	b.do(10*time.Second, chromedp.Click(chromedp.CSS("#"+read+" details.event-body > summary")))
	b.waitFor("the body open", `document.querySelector("#`+read+` details.event-body").open`, 5*time.Second)
	evalJS[chromedp.Void](b, `document.getElementById("`+read+`").scrollIntoView({block: "center"})`)
	type place struct {
		Top     float64
		Columns []float64
		ScrollY float64
	}
	where := func() place {
		return evalJS[place](b, `({Top: document.getElementById("`+read+`").getBoundingClientRect().top,
			Columns: [...document.querySelectorAll("#events-list thead th")].map(th => th.getBoundingClientRect().width),
			ScrollY: window.scrollY})`)
	}
	before := where()
	if before.ScrollY <= 0 {
		t.Fatalf("the page did not scroll to the event (scrollY %v)", before.ScrollY)
	}

	// New events arrive, with a type and a meeting id long enough to widen
	// a column that sizes itself to its content.
	long := strings.Repeat("x", 90)
	for i := range 3 {
		id := s.postEvent(t, "an-unknown-webhook-type-"+long, map[string]any{"meetingId": fmt.Sprint("a-very-long-meeting-id-", i, "-", long), "sessionId": "s"})
		b.waitFor(fmt.Sprintf("event %d in the log", id), fmt.Sprintf(`document.getElementById("event-%d")`, id), 10*time.Second)
		if !evalJS[bool](b, `document.querySelector("#`+read+` details.event-body").open`) {
			t.Fatalf("the opened body closed when event %d arrived", id)
		}
		after := where()
		for c := range before.Columns {
			if c >= len(after.Columns) || abs(after.Columns[c]-before.Columns[c]) > 0.5 {
				t.Errorf("after event %d the columns are %v wide, were %v", id, after.Columns, before.Columns)
				break
			}
		}
		if abs(after.Top-before.Top) > 0.5 {
			t.Errorf("after event %d the row being read moved from %v to %v on the screen", id, before.Top, after.Top)
		}
	}

	// Reading the body itself, its top scrolled out of view: the body is
	// what stays in place.
	evalJS[chromedp.Void](b, `document.querySelector("#`+read+` details.event-body pre").scrollIntoView({block: "start"}); scrollBy(0, 40)`)
	body := func() float64 {
		return evalJS[float64](b, `document.querySelector("#`+read+` details.event-body pre").getBoundingClientRect().top`)
	}
	was := body()
	id := s.postEvent(t, "an-unknown-webhook-type-"+long, map[string]any{"meetingId": "one-more", "sessionId": "s"})
	b.waitFor(fmt.Sprintf("event %d in the log", id), fmt.Sprintf(`document.getElementById("event-%d")`, id), 10*time.Second)
	if now := body(); abs(now-was) > 0.5 {
		t.Errorf("after event %d the body being read moved from %v to %v on the screen", id, was, now)
	}
	b.notReloaded()
	b.checkClean()
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
