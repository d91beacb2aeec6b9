package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// Browser tests of the live-rooms board at fleet scale: the table view,
// sorting, rooms that open and close while the operator reads, the view
// remembered, and the filter applied as one types.

// room posts a live room's webhooks: its session (started ago), people,
// and jobs as webhook type and extra fields.
func (s *server) room(t *testing.T, meeting string, ago time.Duration, people int, jobs ...map[string]any) {
	t.Helper()
	d := map[string]any{"meetingId": meeting, "sessionId": "s-" + meeting}
	s.mustPost(t, videosdkHook("session-started", withFields(d, "start", time.Now().UTC().Add(-ago).Format(time.RFC3339))))
	for i := 0; i < people; i++ {
		s.mustPost(t, videosdkHook("participant-joined", withFields(d, "participantId", fmt.Sprintf("%s-p%d", meeting, i), "participantName", fmt.Sprintf("Person %d", i))))
	}
	for _, j := range jobs {
		typ := j["type"].(string)
		fields := withFields(d)
		for k, v := range j {
			if k != "type" {
				fields[k] = v
			}
		}
		s.mustPost(t, videosdkHook(typ, fields))
	}
}

// rowOrder lists the shown rows' meetings in order, with their tops.
const rowOrder = `[...document.querySelectorAll("#rooms-items > [data-meeting]")].map(r => r.dataset.meeting + "@" + Math.round(r.getBoundingClientRect().top))`

// TestBrowserFleetTable: the table view shows a room's row with its
// states, sorts by a column (by mouse and by keyboard, saying so with
// aria-sort), and the browser remembers the view.
func TestBrowserFleetTable(t *testing.T) {
	s := start(t, tempDBEnv(t))
	s.room(t, "t-busy", 30*time.Minute, 3,
		map[string]any{"type": "recording-started", "id": "rec-busy"},
		map[string]any{"type": "hls-playable", "id": "hls-busy", "playbackHlsUrl": "https://cdn.example/busy.m3u8"},
		map[string]any{"type": "livestream-failed", "id": "ls-busy", "message": "RTMP endpoint refused"})
	s.room(t, "t-one", 20*time.Minute, 1)
	s.room(t, "t-two", 10*time.Minute, 2, map[string]any{"type": "transcription-started", "id": "tr-two"})

	b := newTab(t, s.URL, 1280, 900)
	b.open("/?view=table")
	b.waitLive(10 * time.Second)
	// The times tick in the frame after a message: a room's row pushed
	// again reads "since …" until then, so its times are awaited, not read.
	b.waitFor("t-busy live for 30m… and its last event seconds ago", `(r => !!r && /^30m/.test(r.children[2].textContent.trim()) &&
		/^\d+s$/.test(r.children[4].textContent.trim()))(document.querySelector('#rooms-items > [data-meeting="t-busy"]'))`, 10*time.Second)
	cells := evalJS[[]string](b, `[...document.querySelector('#rooms-items > [data-meeting="t-busy"]').children].map(c => c.textContent.trim().replace(/\s+/g, " "))`)
	want := map[int]string{0: "t-busy", 1: "videosdk", 3: "3", 5: "started", 6: "playable", 7: "failed", 8: "—", 9: "—", 10: "livestream failed"}
	for i, w := range want {
		if i >= len(cells) || cells[i] != w {
			t.Errorf("t-busy's row: cell %d is %q, want %q (row %q)", i, at(cells, i), w, cells)
		}
	}
	if order := evalJS[[]string](b, `[...document.querySelectorAll("#rooms-items > [role=row]")].map(r => r.dataset.meeting)`); strings.Join(order, " ") != "t-busy t-one t-two" {
		t.Errorf("the rows come %q, want the longest running first", order)
	}

	people := `document.querySelector("#rooms-live [role=columnheader]:nth-child(4)")`
	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`#rooms-live [role=columnheader]:nth-child(4) > button`)))
	b.waitFor("rows by people, most first", `[...document.querySelectorAll("#rooms-items > [role=row]")].map(r => r.dataset.meeting).join(" ") === "t-busy t-two t-one"`, 10*time.Second)
	if got := evalJS[string](b, people+`.getAttribute("aria-sort")`); got != "descending" {
		t.Errorf("the People column says aria-sort=%q, want descending", got)
	}
	if n := evalJS[int](b, `document.querySelectorAll("#rooms-live [role=columnheader][aria-sort]").length`); n != 1 {
		t.Errorf("%d columns claim the sort, want 1", n)
	}
	// The same button from the keyboard turns the order round.
	b.do(10*time.Second, chromedp.Focus(chromedp.CSS(`#rooms-live [role=columnheader]:nth-child(4) > button`)), chromedp.KeyEvent("\r"))
	b.waitFor("rows by people, fewest first", `[...document.querySelectorAll("#rooms-items > [role=row]")].map(r => r.dataset.meeting).join(" ") === "t-one t-two t-busy"`, 10*time.Second)
	if got := evalJS[string](b, people+`.getAttribute("aria-sort")`); got != "ascending" {
		t.Errorf("after a second press, aria-sort=%q, want ascending", got)
	}
	// Problems first.
	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`#rooms-live [role=columnheader]:nth-child(11) > button`)))
	b.waitFor("rows with problems first", `document.querySelector("#rooms-items > [role=row]").dataset.meeting === "t-busy"`, 10*time.Second)

	// The view and the sort are remembered.
	b.open("/")
	if !evalJS[bool](b, `!!document.querySelector('#rooms-live[data-board="table"]')`) {
		t.Errorf("/ after choosing the table shows %q", evalJS[string](b, `document.querySelector("#rooms-live").dataset.board`))
	}
	if got := evalJS[string](b, `document.querySelector("main").getAttribute("ws-connect")`); got != "/live?topic=rooms%3Fview%3Dtable" {
		t.Errorf("the remembered table subscribes to %q", got)
	}
	b.waitFor("the remembered sort", `document.querySelector("#rooms-live [role=columnheader]:nth-child(11)").getAttribute("aria-sort") === "descending"`, 10*time.Second)
	b.open("/?view=cards")
	b.open("/")
	if !evalJS[bool](b, `!!document.querySelector('#rooms-live[data-board="cards"] article.room[data-meeting="t-busy"]')`) {
		t.Errorf("/ after choosing the cards does not show cards")
	}
	b.checkClean()
}

func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// TestBrowserFleetHold: while the operator reads the board (the pointer on
// a row), a room that opens and sorts first, and a room that closes, move
// no row: the new room waits behind the changes bar and the closed one is
// marked ended, until the bar is clicked. With the pointer off the board,
// a new room lands at once.
func TestBrowserFleetHold(t *testing.T) {
	for _, view := range []string{"table", "cards"} {
		t.Run(view, func(t *testing.T) {
			s := start(t, tempDBEnv(t))
			s.room(t, "h-a", 30*time.Minute, 1)
			s.room(t, "h-b", 20*time.Minute, 1)
			s.room(t, "h-c", 10*time.Minute, 1)
			b := newTab(t, s.URL, 1280, 900)
			b.open("/?view=" + view)
			b.waitLive(10 * time.Second)

			// The operator reads h-c.
			type box struct{ X, Y float64 }
			c := evalJS[box](b, `(r => ({X: r.left + r.width / 2, Y: r.top + r.height / 2}))(document.querySelector('#rooms-items > [data-meeting="h-c"]').getBoundingClientRect())`)
			b.do(10*time.Second, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, c.X, c.Y))
			before := evalJS[[]string](b, rowOrder)

			// A room that has run longest of all opens, and h-b closes.
			s.room(t, "h-old", 3*time.Hour, 2)
			b.waitFor("the changes bar offering the new room", `!document.querySelector("#rooms-apply").hidden && document.querySelector("#rooms-apply").textContent.includes("1 new")`, 10*time.Second)
			s.mustPost(t, videosdkHook("session-ended", map[string]any{"meetingId": "h-b", "sessionId": "s-h-b"}))
			b.waitFor("h-b marked ended", `document.querySelector('#rooms-items > [data-meeting="h-b"] .ended-mark')`, 10*time.Second)
			// Its times stop: an ended room's "live for" does not go on.
			if n := evalJS[int](b, `document.querySelectorAll('#rooms-items > [data-meeting="h-b"] time[data-since]').length`); n != 0 {
				t.Errorf("the ended room still has %d ticking times", n)
			}
			b.waitFor("the bar counting both", `document.querySelector("#rooms-apply").textContent.startsWith("2 changes (1 new, 1 ended)")`, 10*time.Second)
			if after := evalJS[[]string](b, rowOrder); strings.Join(after, " ") != strings.Join(before, " ") {
				t.Errorf("rows moved while the operator read them: %q, then %q", before, after)
			}
			if evalJS[bool](b, `(el => !!el && el.offsetParent !== null)(document.querySelector('[data-meeting="h-old"]'))`) {
				t.Errorf("the new room shows before the bar was clicked")
			}
			if got := evalJS[string](b, `document.querySelector('#rooms-items > [data-meeting="h-b"] .ended-mark').textContent`); got != "ended" {
				t.Errorf("h-b's mark reads %q", got)
			}

			b.do(10*time.Second, chromedp.Click(chromedp.CSS(`#rooms-apply`)))
			b.waitFor("the changes shown", `Array.from(document.querySelectorAll("#rooms-items > [data-meeting]"), r => r.dataset.meeting).join(" ") === "h-old h-a h-c"`, 10*time.Second)
			if !evalJS[bool](b, `document.querySelector("#rooms-apply").hidden`) {
				t.Errorf("the bar stays after its changes were shown")
			}

			// Not reading: the pointer is on the header.
			b.do(10*time.Second, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 10, 10))
			s.room(t, "h-older", 5*time.Hour, 1)
			b.waitFor("the new room landing first by itself", `document.querySelector("#rooms-items > [data-meeting]").dataset.meeting === "h-older"`, 10*time.Second)
			b.notReloaded()
			b.checkClean()
		})
	}
}

// TestBrowserFleetFilter: the filter box narrows the rooms on the page as
// one types, without a reload, and the address bar follows it.
func TestBrowserFleetFilter(t *testing.T) {
	s := start(t, tempDBEnv(t))
	for _, m := range []string{"alpha-1", "alpha-2", "beta-1"} {
		s.room(t, m, time.Minute, 1)
	}
	b := newTab(t, s.URL, 1280, 900)
	b.open("/?view=table")
	b.waitLive(10 * time.Second)
	visible := `Array.from(document.querySelectorAll("#rooms-items > [data-meeting]"), r => r).filter(r => r.offsetParent !== null).map(r => r.dataset.meeting).join(" ")`
	b.do(10*time.Second, chromedp.Focus(chromedp.CSS(`form.filter input[name="meeting"]`)), chromedp.KeyEvent("al"))
	if got := evalJS[string](b, visible); got != "alpha-1 alpha-2" {
		t.Errorf("typing al shows %q", got)
	}
	if got := evalJS[string](b, `location.search`); got != "?view=table&meeting=al" {
		t.Errorf("the address bar says %q", got)
	}
	// A room that opens meanwhile follows the filter too.
	b.do(10*time.Second, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 10, 10))
	s.room(t, "beta-2", time.Hour, 1)
	s.room(t, "alpha-3", time.Hour, 1)
	b.waitFor("alpha-3 on the board", `document.querySelector('#rooms-items > [data-meeting="alpha-3"]')`, 10*time.Second)
	b.waitFor("beta-2 on the board", `document.querySelector('#rooms-items > [data-meeting="beta-2"]')`, 10*time.Second)
	if got := evalJS[string](b, visible); got != "alpha-3 alpha-1 alpha-2" {
		t.Errorf("after two rooms opened, the filtered board shows %q", got)
	}
	b.do(10*time.Second, chromedp.KeyEvent(kbEscape))
	b.waitFor("every room again", visible+` === "alpha-3 beta-2 alpha-1 alpha-2 beta-1"`, 10*time.Second)
	b.waitFor("beta-2's person", `document.querySelector('#rooms-items > [data-meeting="beta-2"]').children[3].textContent === "1"`, 10*time.Second)
	none := `document.getElementById("rooms-none")`
	if !evalJS[bool](b, none+`.hidden`) {
		t.Errorf("with the box empty, the board says %q", evalJS[string](b, none+`.textContent`))
	}
	// A prefix no room on the page has: the board says so, and Enter asks
	// the server, which says how many live rooms the filter hides.
	b.do(10*time.Second, chromedp.Focus(chromedp.CSS(`form.filter input[name="meeting"]`)), chromedp.KeyEvent("zz"))
	b.waitFor("the board saying no room matches", `!`+none+`.hidden && `+none+`.textContent.includes("No live room on this page starts with \u201czz\u201d")`, 10*time.Second)
	if got := evalJS[string](b, visible); got != "" {
		t.Errorf("typing zz shows %q", got)
	}
	b.notReloaded()
	b.do(10*time.Second, chromedp.KeyEvent("\r"))
	b.waitFor("the server's filter", `location.search.includes("meeting=zz") && document.getElementById("rooms-summary").textContent.includes("No live meeting matches")`, 10*time.Second)
	b.checkClean()
}

// kbEscape is the Escape key for chromedp.KeyEvent.
const kbEscape = "\u001b"

// counters reads the board's counters as "label=number", in order, each
// with its link's path.
const counters = `[...document.querySelectorAll("#fleet-counts a.counter")].map(a =>
	a.textContent.trim().replace(/^(\S+)\s+(.*)$/, "$2=$1") + " " + new URL(a.href).pathname + new URL(a.href).search)`

// TestBrowserFleetCounters: the counters at the top of the board count the
// live rooms, the people in them, recordings and streams running, the last
// hour's failures of every kind and stale rooms, each linking to what lists
// them; they follow webhooks live, and the failures link opens the
// problems that make them up.
func TestBrowserFleetCounters(t *testing.T) {
	s := start(t, tempDBEnv(t))
	s.room(t, "c-a", 10*time.Minute, 2,
		map[string]any{"type": "recording-started", "id": "rec-a"},
		map[string]any{"type": "hls-playable", "id": "hls-a", "playbackHlsUrl": "https://cdn.example/a.m3u8"})
	s.room(t, "c-b", 5*time.Minute, 1, map[string]any{"type": "recording-failed", "id": "rec-b", "message": "disk full"})

	b := newTab(t, s.URL, 1280, 900)
	b.open("/")
	b.waitLive(10 * time.Second)
	want := []string{
		"rooms live=2 /?view=table", "people in rooms=3 /?view=cards", "recordings running=1 /recordings?status=started",
		"streams live=1 /streams?status=live", "failures in the last hour=1 /problems", "stale rooms=0 /problems",
	}
	if got := evalJS[[]string](b, counters); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the counters read\n%q, want\n%q", got, want)
	}

	// A new room with two people and a failed transcription: the counters
	// follow without a reload.
	s.room(t, "c-c", time.Minute, 2, map[string]any{"type": "transcription-failed", "id": "tr-c", "message": "language not supported"})
	b.waitFor("the counters after a room opened", `(c => c.includes("rooms live=3 /?view=table") && c.includes("people in rooms=5 /?view=cards") &&
		c.includes("failures in the last hour=2 /problems"))(`+counters+`)`, 10*time.Second)
	if !evalJS[bool](b, `document.querySelector("#fleet-counts a.counter.bad") !== null`) {
		t.Errorf("the failures counter is not marked while there are failures")
	}
	b.notReloaded()

	b.do(10*time.Second, chromedp.Click(`#fleet-counts a[href="/problems"].bad`))
	b.waitFor("the problems page", `location.pathname === "/problems" && document.body.textContent.includes("disk full") &&
		document.body.textContent.includes("language not supported")`, 10*time.Second)
	b.checkClean()
}
