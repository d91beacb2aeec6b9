package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserProblems watches a failure appear on the open problems page
// without a reload, follows its link to the meeting's page, and picks a
// status on the recordings page, which applies at once.
func TestBrowserProblems(t *testing.T) {
	s := start(t, tempDBEnv(t))
	b := newTab(t, s.URL, 1280, 900)
	b.open("/problems")
	b.waitLive(10 * time.Second)
	b.waitFor("the empty problems page", `document.querySelector('#problems-list .empty')`, 10*time.Second)

	s.mustPost(t, videosdkHook("hls-failed", map[string]any{"meetingId": "room-7", "sessionId": "s-7", "id": "h7", "message": "composer crashed"}))
	b.waitFor("the HLS failure", `[...document.querySelectorAll('#problems-list td')].some(td => td.textContent.includes("composer crashed"))`, 10*time.Second)
	b.notReloaded()
	if got := evalJS[string](b, `document.querySelector('#problems-list a[href*="#meeting-"]').getAttribute("href")`); got != "/meetings/room-7#meeting-streams" {
		t.Errorf("the problem links to %q", got)
	}
	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`#problems-list a[href*="#meeting-"]`)))
	b.waitFor("the meeting's streams", `location.pathname === "/meetings/room-7" && document.getElementById("meeting-streams")`, 10*time.Second)

	b.open("/recordings")
	b.waitLive(10 * time.Second)
	// As a user picking it: the value changes, then the change event.
	evalJS[chromedp.Void](b, `(() => {
		const s = document.querySelector('form.filter select[name="status"]');
		s.value = "failed";
		s.dispatchEvent(new Event("change", {bubbles: true}));
	})()`)
	b.waitFor("status=failed in the URL", `location.pathname === "/recordings" && new URLSearchParams(location.search).get("status") === "failed"`, 10*time.Second)
	b.waitLive(10 * time.Second)
	if got := evalJS[string](b, `document.querySelector("main").getAttribute("ws-connect")`); got != "/live?topic=recordings%3Fstatus%3Dfailed" {
		t.Errorf("the filtered page subscribes to %q", got)
	}
	b.checkClean()
}
