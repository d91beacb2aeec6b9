package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSearch types into the header's search box as an operator
// would: part of a participant's name finds them, and their link opens
// their meeting at their row; a meeting id typed in capitals finds the
// meeting whose id is in lower case.
func TestBrowserSearch(t *testing.T) {
	s := start(t, tempDBEnv(t))
	room := map[string]any{"meetingId": "demo-zzg4", "sessionId": "s-1"}
	s.mustPost(t,
		videosdkHook("session-started", room),
		videosdkHook("participant-joined", withFields(room, "participantId", "bob-2", "participantName", "Bob Builder")),
		videosdkHook("participant-joined", withFields(room, "participantId", "ada-1", "participantName", "Ada Lovelace")),
		videosdkHook("participant-joined", withFields(map[string]any{"meetingId": "other", "sessionId": "s-9"}, "participantId", "cy", "participantName", "Cy Twombly")),
	)
	b := newTab(t, s.URL, 1280, 900)
	b.open("/recordings")
	find := func(text string) {
		b.do(10*time.Second,
			chromedp.SendKeys(chromedp.CSS(`header form.site-search input[name="q"]`), text),
			chromedp.Submit(chromedp.CSS(`header form.site-search input[name="q"]`)),
		)
	}
	find("lovelace")
	b.waitFor("the search page", `location.pathname === "/search" && new URLSearchParams(location.search).get("q") === "lovelace"`, 10*time.Second)
	people := `[...document.querySelectorAll("#search-results table.search-people tbody tr")]`
	b.waitFor("Ada among the people found", people+`.some(tr => tr.textContent.includes("Ada Lovelace"))`, 10*time.Second)
	if n := evalJS[int](b, people+`.length`); n != 1 {
		t.Errorf("%d people found for lovelace, want Ada alone\n%s", n, b.state())
	}
	if n := evalJS[int](b, `document.querySelectorAll("#search-results table.search-meetings tbody tr").length`); n != 0 {
		t.Errorf("lovelace found %d meetings", n)
	}
	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`#search-results table.search-people tbody tr a[href^="/meetings/demo-zzg4#participant-"]`)))
	// Marked as the target, and still once the live snapshot has swapped
	// the participants in again.
	b.waitLive(10 * time.Second)
	b.waitFor("Ada's row on the meeting's page, marked as the link's target",
		`location.pathname === "/meetings/demo-zzg4" && document.querySelector("#meeting-participants tr.targeted") && document.querySelector("#meeting-participants tr.targeted").textContent.includes("Ada Lovelace")`,
		10*time.Second)
	evalJS[chromedp.Void](b, `window.__e2eDocument = true`)
	s.mustPost(t, videosdkHook("participant-left", withFields(room, "participantId", "bob-2", "participantName", "Bob Builder")))
	b.waitFor("Bob's leave on the page", `[...document.querySelectorAll("#meeting-participants tr")].some(tr => tr.textContent.includes("Bob Builder") && tr.textContent.includes("left"))`, 10*time.Second)
	if !evalJS[bool](b, `!!document.querySelector("#meeting-participants tr.targeted") && document.querySelector("#meeting-participants tr.targeted").textContent.includes("Ada Lovelace")`) {
		t.Errorf("Ada's row lost its mark when the participants were pushed again\n%s", b.state())
	}
	b.notReloaded()

	find("DEMO-ZZG4")
	b.waitFor("the search page for DEMO-ZZG4", `location.pathname === "/search" && new URLSearchParams(location.search).get("q") === "DEMO-ZZG4"`, 10*time.Second)
	meetings := `[...document.querySelectorAll("#search-results table.search-meetings tbody tr a")].map(a => a.getAttribute("href"))`
	if got := evalJS[[]string](b, meetings); len(got) != 1 || got[0] != "/meetings/demo-zzg4" {
		t.Errorf("DEMO-ZZG4 finds the meetings %q, want /meetings/demo-zzg4", got)
	}
	b.checkClean()
}
