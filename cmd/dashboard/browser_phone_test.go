package main

import (
	"github.com/meetboard/meetboard/views"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// phoneLists are the lists a phone must show whole: for each, its rows,
// and in a row its status and its links.
var phoneLists = []struct {
	path, rows, status, links string
}{
	{"/", "#rooms-recent tbody tr", `td[data-label="Status"] .badge`, "a"},
	{"/meetings", "#meetings-list tbody tr", `td[data-label="Now"]`, "a"},
	{"/recordings", "#recordings-list tbody tr", `td[data-label="Status"] .badge`, "a, button.copy"},
	{"/streams", "#streams-list tbody tr", `td[data-label="Status"] .badge`, "a, button.copy"},
	{"/events", "#events-list tbody tr", `td[data-label="Outcome"] .badge`, "a, summary"},
	{"/meetings/jvsg-8rjn-j304", "#meeting-participants tbody tr", `td[data-label="Now"] .badge`, `td[data-label="ID"]`},
	{"/meetings/jvsg-8rjn-j304", "#meeting-sessions tbody tr", `td[data-label="Status"] .badge`, "td:first-child"},
	{"/calls", "#calls-list .job", ".badge", "a"},
}

// TestBrowserPhoneLists opens the dashboard on a 390x844 phone: every
// navigation entry is on the screen and answers a tap there, and in every
// list each row's status and links (or, where a row has none, its
// first cells) are on the screen, none of them in a
// box that would have to be scrolled sideways to see it.
func TestBrowserPhoneLists(t *testing.T) {
	s := start(t, tempDBEnv(t))
	phoneFixtures(t, s)
	s.do(t, "GET", "/api/meetings", nil, nil) // waits until the models have it all
	b := newTab(t, s.URL, 390, 844)

	b.open("/")
	b.waitLive(10 * time.Second)
	type navLink struct {
		Text          string
		X, Y          float64
		OnScreen, Hit bool
	}
	nav := evalJS[[]navLink](b, `[...document.querySelectorAll("header.top nav a")].map(a => {
		const r = a.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
		const hit = document.elementFromPoint(x, y);
		return {Text: a.textContent.trim(), X: x, Y: y,
			OnScreen: r.width > 0 && r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight,
			Hit: !!hit && hit.closest("a") === a};
	})`)
	if len(nav) != len(views.NavPaths()) {
		t.Fatalf("%d navigation links: %+v", len(nav), nav)
	}
	for _, l := range nav {
		if !l.OnScreen || !l.Hit {
			t.Errorf("navigation link %q is not on the screen to tap (on screen %v, answers a tap at its middle %v)", l.Text, l.OnScreen, l.Hit)
		}
	}
	if last := nav[len(nav)-1]; last.Text == "Events" && last.OnScreen {
		b.do(10*time.Second, chromedp.MouseClickXY(last.X, last.Y))
		b.waitFor("the event log after tapping Events", `location.pathname === "/events"`, 10*time.Second)
	}

	for _, l := range phoneLists {
		b.open(l.path)
		b.waitLive(10 * time.Second)
		type row struct {
			Status int
			Links  int
			Hidden []string
		}
		rows := evalJS[[]row](b, `[...document.querySelectorAll(`+jsLit(l.rows)+`)].slice(0, 10).map(tr => {
			// Whether el shows whole, with no sideways scrolling: inside the
			// screen, and inside every box around it that scrolls or clips.
			const whole = el => {
				const r = el.getBoundingClientRect();
				if (r.width === 0 || r.left < -0.5 || r.right > innerWidth + 0.5) return false;
				for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
					if (getComputedStyle(a).overflowX === "visible") continue;
					const box = a.getBoundingClientRect();
					if (r.left < box.left - 0.5 || r.right > box.right + 0.5) return false;
				}
				return true;
			};
			const status = [...tr.querySelectorAll(`+jsLit(l.status)+`)], links = [...tr.querySelectorAll(`+jsLit(l.links)+`)];
			return {Status: status.length, Links: links.length,
				Hidden: [...status, ...links].filter(el => !whole(el)).map(el => el.outerHTML.slice(0, 80) + " right=" + Math.round(el.getBoundingClientRect().right))};
		})`)
		if len(rows) == 0 {
			t.Errorf("%s: no rows %s", l.path, l.rows)
		}
		links := 0
		for i, r := range rows {
			links += r.Links
			if r.Status == 0 {
				t.Errorf("%s %s row %d: no status (%s)", l.path, l.rows, i, l.status)
			}
			if len(r.Hidden) > 0 {
				t.Errorf("%s %s row %d: not on the screen without scrolling sideways:\n  %s", l.path, l.rows, i, strings.Join(r.Hidden, "\n  "))
			}
		}
		if links == 0 {
			t.Errorf("%s %s: no links (%s) to check", l.path, l.rows, l.links)
		}
	}
	b.checkClean()
}
