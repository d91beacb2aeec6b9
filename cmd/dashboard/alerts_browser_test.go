package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// notificationStub stands in for the browser's Notification: permission
// is granted when asked, and each notification shown is recorded in
// window.__notes.
const notificationStub = `(() => {
	window.__notes = [];
	class Fake {
		constructor(title, opts) { window.__notes.push({title, body: (opts || {}).body || "", tag: (opts || {}).tag || ""}); }
		static requestPermission() { Fake.permission = "granted"; return Promise.resolve("granted"); }
	}
	Fake.permission = "default";
	window.Notification = Fake;
})()`

// TestBrowserAlertNotifications: an operator opts this browser in on the
// alerts page; a failure that arrives afterwards shows as one
// notification naming it, and the alerts that were there before do not.
func TestBrowserAlertNotifications(t *testing.T) {
	s := start(t, tempDBEnv(t))
	s.mustPost(t, jobHook("recording-failed", "before-room", "r0"))
	b := newTab(t, s.URL, 1280, 900)
	b.open("/alerts")
	b.waitLive(10 * time.Second)
	b.waitFor("the alert raised before opting in", `document.querySelector('#alerts-list tr[id^="alert-"]')`, 30*time.Second)
	evalJS[chromedp.Void](b, notificationStub)
	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`#alerts-notify`)))
	b.waitFor("opted in", `document.getElementById('alerts-notify').dataset.state === "on" && localStorage.getItem("meetboard.lastAlert") !== null`, 10*time.Second)

	s.mustPost(t, jobHook("recording-failed", "notify-room", "r1"))
	b.waitFor("a notification", `window.__notes.length > 0`, 40*time.Second)
	b.never("a second notification", `window.__notes.length > 1`, time.Second)
	n := evalJS[map[string]string](b, `window.__notes[0]`)
	if n["title"] != "Recording failed: recording" || n["body"] != "Meeting notify-room — reason of r1" {
		t.Errorf("the notification: %+v", n)
	}
	b.notReloaded()

	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`#alerts-notify`)))
	b.waitFor("opted out", `document.getElementById('alerts-notify').dataset.state === "off" && localStorage.getItem("meetboard.notify") === null`, 10*time.Second)
}
