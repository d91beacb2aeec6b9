package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// rowsJS lists the event ids in the event log's rows, as the page shows them.
const rowsJS = `[...document.querySelectorAll("#events-list tbody tr")].map(tr => tr.id)`

// TestBrowserEventFilters opens the event log filtered by each filter in
// turn: the list holds only what matches, and stays live: a new event that
// matches appears, one that does not stays out. Events that do not match
// are sent first, so when the matching one is shown, the render that showed
// it had the others too.
func TestBrowserEventFilters(t *testing.T) {
	s := start(t, tempDBEnv(t))
	room := map[string]any{"meetingId": "room-f", "sessionId": "s-f"}
	early := s.postEvent(t, "participant-joined", withFields(room, "participantId", "p0", "participantName", "Early"))
	b := newTab(t, s.URL, 1280, 900)
	minute := time.Now().UTC().Truncate(time.Minute)
	n := 0
	join := func() int {
		n++
		return s.postEvent(t, "participant-joined", withFields(room, "participantId", fmt.Sprint("p", n), "participantName", fmt.Sprint("P", n)))
	}
	cases := []struct {
		name, query   string
		miss, matches func() int
	}{
		{"provider", "provider=daily", join, func() int { return s.postDailyBody(t, dailyJoin(fmt.Sprint("evt-", n), "consult-1", "Lee")) }},
		{"type", "type=participant.joined", join, func() int { return s.postDailyBody(t, dailyJoin(fmt.Sprint("evt-b", n), "consult-2", "Kim")) }},
		{"outcome", "outcome=stored", join, func() int { return s.postEvent(t, "custom-thing", room) }},
		{"meeting and type", "meeting=other&type=participant-joined",
			func() int { return s.postEvent(t, "custom-thing", map[string]any{"meetingId": "other-1"}) },
			func() int {
				return s.postEvent(t, "participant-joined", map[string]any{"meetingId": "other-1", "sessionId": "s", "participantId": "z"})
			}},
		{"from", "from=" + url.QueryEscape(minute.Format(time.RFC3339)), nil, join},
	}
	for _, c := range cases {
		b.open("/events?" + c.query)
		b.waitLive(10 * time.Second)
		if c.name == "from" {
			// Every event so far arrived after the start of the minute.
			b.waitFor("the early event in the range", rowsJS+fmt.Sprintf(`.includes("event-%d")`, early), 10*time.Second)
		} else if got := evalJS[[]string](b, rowsJS); len(got) != 0 && c.name != "type" {
			t.Errorf("%s: the list shows %q before any event matches", c.name, got)
		}
		var missed int
		if c.miss != nil {
			missed = c.miss()
		}
		hit := c.matches()
		b.waitFor(c.name+": the matching event", rowsJS+fmt.Sprintf(`.includes("event-%d")`, hit), 10*time.Second)
		if missed > 0 && evalJS[bool](b, rowsJS+fmt.Sprintf(`.includes("event-%d")`, missed)) {
			t.Errorf("%s: event %d, which does not match, is in the list %q", c.name, missed, evalJS[[]string](b, rowsJS))
		}
		b.notReloaded()
	}

	// A range that ended a minute ago keeps new events out.
	b.open("/events?to=" + url.QueryEscape(minute.Add(-time.Minute).Format(time.RFC3339)))
	b.waitLive(10 * time.Second)
	late := join()
	b.never(fmt.Sprintf("event %d, received after the range, appeared in it", late), rowsJS+fmt.Sprintf(`.includes("event-%d")`, late), time.Second)

	// The form, as an operator uses it.
	b.open("/events")
	b.waitLive(10 * time.Second)
	evalJS[chromedp.Void](b, `document.querySelector('form.events-filter select[name="outcome"]').value = "stored"`)
	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`form.events-filter button[type="submit"]`)))
	b.waitFor("the URL /events?outcome=stored", `location.pathname + location.search === "/events?outcome=stored"`, 10*time.Second)
	b.waitLive(10 * time.Second)
	if got := evalJS[string](b, `document.querySelector("main").getAttribute("ws-connect")`); got != "/live?topic=events%3Foutcome%3Dstored" {
		t.Errorf("the filtered log subscribes to %q", got)
	}
	b.checkClean()
}

// TestBrowserEventFilterTimes: the filter's times are shown in the
// viewer's time zone and sent in UTC.
func TestBrowserEventFilterTimes(t *testing.T) {
	s := start(t, tempDBEnv(t))
	b := newTab(t, s.URL, 1280, 900)
	// Berlin is an hour ahead of UTC in March.
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	b.open("/events?from=2026-03-05T12:30Z")
	b.waitLive(10 * time.Second)
	if got := evalJS[string](b, `document.querySelector('form.events-filter input[name="from"]').value`); got != "2026-03-05T13:30" {
		t.Errorf("the from field shows %q, want 2026-03-05T13:30 (Berlin)", got)
	}
	if got := evalJS[string](b, `document.querySelector('form.events-filter .tz').textContent`); got != "Europe/Berlin" {
		t.Errorf("the filter names the time zone %q", got)
	}
	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`form.events-filter button[type="submit"]`)))
	b.waitFor("the same range, in UTC, in the URL", `location.search === "?from=2026-03-05T12%3A30Z"`, 10*time.Second)
	b.checkClean()
}

// TestBrowserPermalinks: an event log row opens the event's own page, which
// stays live (the next event's link appears); a recording's link opens its
// meeting at the recording, marked.
func TestBrowserPermalinks(t *testing.T) {
	s := start(t, tempDBEnv(t))
	room := map[string]any{"meetingId": "room-p", "sessionId": "s-p"}
	first := s.postEvent(t, "recording-started", withFields(room, "id", "rec-p"))
	b := newTab(t, s.URL, 1280, 900)
	b.open("/events")
	b.waitLive(10 * time.Second)
	b.do(10*time.Second, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#event-%d a[href="/events/%d"]`, first, first))))
	b.waitFor("the event's page", fmt.Sprintf(`location.pathname === "/events/%d" && document.getElementById("event-detail")`, first), 10*time.Second)
	if text := evalJS[string](b, `document.getElementById("event-detail").textContent`); !containsAll(text, "recording-started", "room-p", `"rec-p"`) {
		t.Errorf("the event's page shows:\n%s", text)
	}
	b.waitLive(10 * time.Second)
	evalJS[chromedp.Void](b, `window.__e2eDocument = true`)
	next := s.postEvent(t, "recording-stopped", withFields(room, "id", "rec-p"))
	b.waitFor("the link to the newer event", fmt.Sprintf(`!!document.querySelector('#event-detail a[href="/events/%d"]')`, next), 10*time.Second)
	b.notReloaded()

	// Enough people that the recordings are far down the meeting's page.
	join := func(from, to int) {
		for i := from; i < to; i++ {
			s.mustPost(t, videosdkHook("participant-joined", withFields(room, "participantId", fmt.Sprintf("p-%d", i), "participantName", fmt.Sprintf("Person %d", i))))
		}
	}
	join(0, 40)
	b.open("/recordings")
	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`#recordings-list a.permalink`)))
	b.waitFor("the recording on its meeting's page, marked",
		`location.pathname === "/meetings/room-p" && /^#recording-\d+$/.test(location.hash) && document.querySelector("#meeting-recordings .job.targeted")`, 10*time.Second)
	b.waitLive(10 * time.Second)
	// The recording shows below the sticky header, not under it, and stays
	// there while people join above it.
	inView := `(() => { const r = document.querySelector("#meeting-recordings .job.targeted").getBoundingClientRect();
		const h = document.querySelector("header.top").getBoundingClientRect().bottom;
		return scrollY > 0 && r.top >= h && r.top < innerHeight; })()`
	b.waitFor("the linked recording below the header", inView, 10*time.Second)
	evalJS[chromedp.Void](b, `window.__e2eDocument = true`)
	join(40, 60)
	b.waitFor("the people who joined", `document.querySelectorAll("#meeting-participants tbody tr").length >= 60`, 10*time.Second)
	if !evalJS[bool](b, inView) {
		t.Errorf("after people joined above it, the linked recording is off screen or under the header: top %v, header bottom %v",
			evalJS[float64](b, `document.querySelector("#meeting-recordings .job.targeted").getBoundingClientRect().top`),
			evalJS[float64](b, `document.querySelector("header.top").getBoundingClientRect().bottom`))
	}
	// New recordings land in the linked one's section: it stays in view.
	for i := 0; i < 4; i++ {
		s.mustPost(t, videosdkHook("recording-started", withFields(room, "id", fmt.Sprintf("rec-more-%d", i))))
	}
	b.waitFor("the new recordings", `document.querySelectorAll("#meeting-recordings .job").length >= 5`, 10*time.Second)
	if !evalJS[bool](b, inView) {
		t.Errorf("after recordings were added beside it, the linked recording is off screen or under the header: top %v",
			evalJS[float64](b, `document.querySelector("#meeting-recordings .job.targeted").getBoundingClientRect().top`))
	}
	b.notReloaded()
	b.checkClean()
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
