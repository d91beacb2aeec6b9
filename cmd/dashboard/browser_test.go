package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// End-to-end tests of the pages in a real headless Chromium: the live
// socket, htmx's swaps and app.js, as a user's browser runs them.

// chromiumPath finds a Chromium to drive, or skips the test. It never
// downloads a browser.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			tb.Fatalf("CHROMIUM_PATH=%s: %v", p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	tb.Skip("no Chromium found (set CHROMIUM_PATH, or install Debian's chromium: apt-get install chromium)")
	return ""
}

// tab is one headless browser with one tab, owned by a test.
type tab struct {
	tb   testing.TB
	ctx  context.Context
	base string

	mu         sync.Mutex
	exceptions []string // uncaught script errors
	dialogs    []string // alert/confirm/prompt opened by the page
}

// newTab starts a fresh Chromium (own temp profile) whose tab is width x
// height CSS pixels, and stops it when the test ends.
func newTab(tb testing.TB, base string, width, height int) *tab {
	tb.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(tb)),
		chromedp.Headless, // headless, hide-scrollbars, mute-audio
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(width, height),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	tb.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	b := &tab{tb: tb, ctx: ctx, base: base}

	// The first run starts the browser; it must not run under a timeout
	// (that would stop the browser with it), so it is bounded from outside.
	started := make(chan error, 1)
	go func() {
		started <- chromedp.Listen(ctx, b.onEvent)
	}()
	select {
	case err := <-started:
		if err != nil {
			tb.Fatalf("start Chromium: %v", err)
		}
	case <-time.After(60 * time.Second):
		cancelCtx()
		tb.Fatal("Chromium did not start within 60s")
	}
	b.do(10*time.Second, chromedp.EmulateViewport(int64(width), int64(height)))
	return b
}

// onEvent records script errors and dismisses dialogs (an alert would
// block the page, and means injected script ran).
func (b *tab) onEvent(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		b.mu.Lock()
		b.exceptions = append(b.exceptions, fmt.Sprintf("%s (%s:%d)", msg, d.URL, d.LineNumber+1))
		b.mu.Unlock()
	case *page.EventJavascriptDialogOpening:
		b.mu.Lock()
		b.dialogs = append(b.dialogs, string(ev.Type)+": "+ev.Message)
		b.mu.Unlock()
		go func() {
			ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
			defer cancel()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}()
	}
}

// checkClean fails the test if the page threw or opened a dialog.
func (b *tab) checkClean() {
	b.tb.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.exceptions {
		b.tb.Errorf("uncaught script error in the page: %s", e)
	}
	for _, d := range b.dialogs {
		b.tb.Errorf("the page opened a dialog (injected script ran?): %s", d)
	}
}

// do runs actions with a time limit.
func (b *tab) do(limit time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	b.tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, limit)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.tb.Fatalf("browser: %v\n%s", err, b.state())
	}
}

// evalIn evaluates a JavaScript expression in the page with a time limit.
func evalIn[T any](b *tab, expr string, limit time.Duration) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, limit)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// evalJS evaluates a JavaScript expression in the page.
func evalJS[T any](b *tab, expr string) T {
	b.tb.Helper()
	v, err := evalIn[T](b, expr, 10*time.Second)
	if err != nil {
		b.tb.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// open loads a page of the dashboard and marks the document, so that a
// later check can tell it was never reloaded.
func (b *tab) open(path string) {
	b.tb.Helper()
	b.do(20*time.Second, chromedp.Navigate(b.base+path))
	evalJS[chromedp.Void](b, `window.__e2eDocument = true`)
}

// notReloaded fails the test if the document was replaced since open.
func (b *tab) notReloaded() {
	b.tb.Helper()
	if !evalJS[bool](b, `window.__e2eDocument === true`) {
		b.tb.Errorf("the page was reloaded; live updates must arrive without one")
	}
}

// waitFor polls a JavaScript condition until it holds.
func (b *tab) waitFor(what, cond string, limit time.Duration) {
	b.tb.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, err := evalIn[bool](b, "!!("+cond+")", 5*time.Second)
		if err == nil && ok {
			return
		}
		if err != nil && strings.Contains(err.Error(), "SyntaxError") {
			b.tb.Fatalf("condition for %s: %v", what, err)
		}
		if time.Now().After(deadline) {
			b.tb.Fatalf("waited %s for %s (last error: %v)\n%s", limit, what, err, b.state())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// never checks a JavaScript condition stays false for a while.
func (b *tab) never(what, cond string, d time.Duration) {
	b.tb.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if evalJS[bool](b, "!!("+cond+")") {
			b.tb.Errorf("%s\n%s", what, b.state())
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *tab) waitLive(limit time.Duration) {
	b.tb.Helper()
	b.waitFor(`#live-status data-state="live"`, `document.querySelector('#live-status[data-state="live"]')`, limit)
}

// state describes the page for a failure message.
func (b *tab) state() string {
	v, err := evalIn[string](b, `location.href + "\nlive-status: " +
		(document.getElementById("live-status") ? document.getElementById("live-status").getAttribute("data-state") : "missing") +
		"\n" + (document.querySelector("main") ? document.querySelector("main").innerText : document.body.innerText).slice(0, 1500)`, 3*time.Second)
	if err != nil {
		return "(page state unavailable: " + err.Error() + ")"
	}
	return "page: " + v
}

// jsLit is v as a JavaScript literal.
func jsLit(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// videosdkHook is a VideoSDK delivery of the given type.
func videosdkHook(typ string, data map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"webhookType": typ, "data": data})
	if err != nil {
		panic(err)
	}
	return b
}

// mustPost delivers webhooks and fails the test unless each is answered 200.
func (s *server) mustPost(t *testing.T, bodies ...[]byte) {
	t.Helper()
	for _, b := range bodies {
		if r := s.post(t, b, nil); r.Status != http.StatusOK {
			t.Fatalf("POST %s: %d %s", b, r.Status, r.Raw)
		}
	}
}

// withFields is a copy of data with more fields.
func withFields(data map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(data)+len(kv)/2)
	for k, v := range data {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func tempDBEnv(t *testing.T) map[string]string {
	return map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "d.db")}
}

// TestBrowserLiveRoom watches a room appear on the live-rooms page as its
// webhooks arrive, and checks hostile values from webhooks stay inert.
func TestBrowserLiveRoom(t *testing.T) {
	s := start(t, tempDBEnv(t))
	b := newTab(t, s.URL, 1280, 900)
	b.open("/")
	b.waitLive(10 * time.Second)

	const hls = "https://cdn.example/hls/index.m3u8"
	room := map[string]any{"meetingId": "e2e-room", "sessionId": "s-e2e-room"}
	s.mustPost(t,
		videosdkHook("session-started", withFields(room, "start", time.Now().UTC().Format(time.RFC3339))),
		videosdkHook("participant-joined", withFields(room, "participantId", "ada", "participantName", "Ada Lovelace")),
		videosdkHook("hls-playable", withFields(room, "id", "hls-e2e", "playbackHlsUrl", hls)),
	)
	b.waitFor("the room card [data-meeting=\"e2e-room\"]", `document.querySelector('[data-meeting="e2e-room"]')`, 10*time.Second)
	b.waitFor("Ada Lovelace's chip", `[...document.querySelectorAll("[data-meeting=\"e2e-room\"] li.chip")].some(li => li.textContent.trim() === "Ada Lovelace")`, 10*time.Second)
	b.waitFor("the HLS link", `[...document.querySelectorAll("[data-meeting=\"e2e-room\"] a")].some(a => a.getAttribute("href") === `+jsLit(hls)+`)`, 10*time.Second)

	type anchor struct{ Href, Target, Rel, Class, Text string }
	links := evalJS[[]anchor](b, `[...document.querySelectorAll("[data-meeting=\"e2e-room\"] a")].map(a => ({
		Href: a.getAttribute("href") || "", Target: a.getAttribute("target") || "", Rel: a.getAttribute("rel") || "",
		Class: a.className, Text: a.textContent.trim()}))`)
	found := false
	for _, a := range links {
		if a.Href != hls {
			continue
		}
		found = true
		if a.Target != "_blank" {
			t.Errorf("HLS link target = %q, want _blank", a.Target)
		}
		if !strings.Contains(" "+a.Rel+" ", " noopener ") {
			t.Errorf("HLS link rel = %q, want it to contain noopener", a.Rel)
		}
	}
	if !found {
		t.Errorf("no link with href exactly %s among %+v", hls, links)
	}
	copies := evalJS[[]string](b, `[...document.querySelectorAll("[data-meeting=\"e2e-room\"] button.copy")].map(el => el.getAttribute("data-copy"))`)
	if !hasString(copies, hls) {
		t.Errorf("copy buttons in the card carry %q, want one with %s", copies, hls)
	}

	// Hostile values: a script URL and markup for a name.
	const evilName = `<img src=x onerror=alert(1)>`
	const evilURL = "javascript:alert(1)"
	evil := map[string]any{"meetingId": "e2e-evil", "sessionId": "s-e2e-evil"}
	s.mustPost(t,
		videosdkHook("hls-playable", withFields(evil, "id", "hls-evil", "playbackHlsUrl", evilURL)),
		videosdkHook("participant-joined", withFields(evil, "participantId", "mallory", "participantName", evilName)),
	)
	b.waitFor("the room card [data-meeting=\"e2e-evil\"]", `document.querySelector('[data-meeting="e2e-evil"]')`, 10*time.Second)
	b.waitFor("the hostile name as a chip", `[...document.querySelectorAll("[data-meeting=\"e2e-evil\"] li.chip")].some(li => li.textContent === `+jsLit(evilName)+`)`, 10*time.Second)
	if bad := evalJS[[]string](b, `[...document.querySelectorAll("a")].map(a => a.getAttribute("href") || "").filter(h => /^\s*javascript:/i.test(h))`); len(bad) > 0 {
		t.Errorf("links with a javascript: href: %q", bad)
	}
	if bad := evalJS[[]string](b, `[...document.querySelectorAll("a")].filter(a => a.protocol === "javascript:").map(a => a.outerHTML)`); len(bad) > 0 {
		t.Errorf("links resolving to javascript:: %q", bad)
	}
	if n := evalJS[int](b, `document.querySelectorAll("[data-meeting=\"e2e-evil\"] img").length`); n != 0 {
		t.Errorf("%d <img> elements were created inside the card from a participant name", n)
	}
	if !evalJS[bool](b, `document.querySelector('[data-meeting="e2e-evil"]').textContent.includes(`+jsLit(evilURL)+`)`) {
		t.Errorf("the non-http URL is not shown as text in the card")
	}
	b.notReloaded()
	b.checkClean()
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestBrowserFilter checks a filtered page only shows (and only receives)
// the meetings its filter matches, and that the filter form works.
func TestBrowserFilter(t *testing.T) {
	s := start(t, tempDBEnv(t))
	b := newTab(t, s.URL, 1280, 900)
	b.open("/?meeting=alpha")
	b.waitLive(10 * time.Second)
	if v := evalJS[string](b, `document.querySelector('form.filter input[name="meeting"]').value`); v != "alpha" {
		t.Errorf("filter input shows %q, want alpha", v)
	}

	s.mustPost(t, joined("alpha-1", "Ada"), joined("beta-1", "Bea"))
	b.waitFor("alpha-1's card", `document.querySelector('[data-meeting="alpha-1"]')`, 10*time.Second)
	b.never("beta-1's card appeared on the page filtered by alpha", `document.querySelector('[data-meeting="beta-1"]')`, time.Second)
	b.notReloaded()

	b.do(10*time.Second,
		chromedp.Clear(chromedp.CSS(`form.filter input[name="meeting"]`)),
		chromedp.SendKeys(chromedp.CSS(`form.filter input[name="meeting"]`), "beta"),
		chromedp.Submit(chromedp.CSS(`form.filter input[name="meeting"]`)),
	)
	b.waitFor("the URL /?meeting=beta", `location.pathname + location.search === "/?meeting=beta"`, 10*time.Second)
	b.waitFor("beta-1's card", `document.querySelector('[data-meeting="beta-1"]')`, 10*time.Second)
	if evalJS[bool](b, `!!document.querySelector('[data-meeting="alpha-1"]')`) {
		t.Errorf("alpha-1 is shown on the page filtered by beta")
	}
	b.waitLive(10 * time.Second)
	if got := evalJS[string](b, `document.querySelector("main").getAttribute("ws-connect")`); got != "/live?topic=rooms%3Fmeeting%3Dbeta" {
		t.Errorf("the filtered page subscribes to %q", got)
	}
	b.checkClean()
}

// TestBrowserMeetingPage opens a meeting's page before the meeting exists
// and watches its recording go through its stages.
func TestBrowserMeetingPage(t *testing.T) {
	s := start(t, tempDBEnv(t))
	b := newTab(t, s.URL, 1280, 900)
	b.open("/meetings/e2e-rec")
	b.waitLive(10 * time.Second)
	if !evalJS[bool](b, `!!document.getElementById("waiting") && document.getElementById("waiting").textContent.includes("No event has named this meeting yet")`) {
		t.Errorf("the page of an unknown meeting shows no notice\n%s", b.state())
	}

	const file = "https://cdn.example/r.mp4"
	rec := func(typ string, kv ...any) []byte {
		return videosdkHook(typ, withFields(map[string]any{"meetingId": "e2e-rec", "sessionId": "s-e2e-rec", "id": "rec-e2e"}, kv...))
	}
	s.mustPost(t, rec("recording-starting"), rec("recording-started"), rec("recording-stopped", "fileUrl", file))

	b.waitFor("the recording's stopped status", `[...document.querySelectorAll("#meeting-recordings .job .badge")].some(el => el.textContent.trim() === "stopped")`, 10*time.Second)
	link := `[...document.querySelectorAll("#meeting-recordings a")].find(a => a.getAttribute("href") === ` + jsLit(file) + `)`
	b.waitFor("the link to r.mp4", link, 10*time.Second)
	type anchor struct{ Target, Rel, Text string }
	a := evalJS[anchor](b, `(a => ({Target: a.getAttribute("target") || "", Rel: a.getAttribute("rel") || "", Text: a.textContent.trim()}))(`+link+`)`)
	if a.Target != "_blank" || !strings.Contains(a.Rel, "noopener") {
		t.Errorf("recording link target=%q rel=%q, want a new tab with noopener", a.Target, a.Rel)
	}
	if a.Text != "r.mp4" {
		t.Errorf("recording link text %q, want r.mp4", a.Text)
	}
	if evalJS[bool](b, `document.querySelector("#meeting-summary").textContent.includes("waiting for this meeting's first event")`) {
		t.Errorf("the summary still waits for the first event\n%s", b.state())
	}
	if evalJS[bool](b, `!!document.getElementById("waiting")`) {
		t.Errorf("the 'No event has named this meeting yet' notice stayed after the meeting's events arrived")
	}
	b.notReloaded()
	b.checkClean()
}

// freeAddr is a loopback address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestBrowserReconnect restarts the server under an open page: the page
// must show it is reconnecting, come back by itself and catch up.
func TestBrowserReconnect(t *testing.T) {
	env, addr := tempDBEnv(t), freeAddr(t)
	first := start(t, env, "-addr", addr)
	b := newTab(t, first.URL, 1280, 900)
	b.open("/")
	b.waitLive(10 * time.Second)

	first.stop()
	b.waitFor(`#live-status data-state="reconnecting"`, `document.querySelector('#live-status[data-state="reconnecting"]')`, 10*time.Second)

	second := start(t, env, "-addr", addr)
	if second.URL != first.URL {
		t.Fatalf("restarted on %s, want %s", second.URL, first.URL)
	}
	second.mustPost(t, joined("after-restart", "Rita"))
	b.waitLive(30 * time.Second)
	b.waitFor("the after-restart room", `document.querySelector('[data-meeting="after-restart"]')`, 30*time.Second)
	b.notReloaded()
	b.checkClean()
}

// phoneFixtures fills a dashboard with a few live rooms and the full v2
// example meeting, with the long values that stress a narrow layout.
func phoneFixtures(t *testing.T, s *server) {
	t.Helper()
	for _, body := range v2Fixtures(t) {
		s.mustPost(t, body)
	}
	rooms := []struct {
		meeting string
		people  []string
	}{
		{"kx7q-2m9d-p4tz", []string{"Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson"}},
		{"r8wn-5c1j-h6ye", []string{"Margaret Hamilton", "Edsger Dijkstra"}},
		{"customer-onboarding-weekly-sync-with-a-very-long-room-name", []string{"Maximilian Alexander Wolfeschlegelsteinhausen", "Bo"}},
	}
	for _, r := range rooms {
		for i, p := range r.people {
			s.mustPost(t, videosdkHook("participant-joined", map[string]any{"meetingId": r.meeting, "sessionId": "s-" + r.meeting,
				"participantId": fmt.Sprintf("p%d-%s", i, r.meeting), "participantName": p}))
		}
	}
	s.mustPost(t,
		videosdkHook("hls-playable", map[string]any{"meetingId": "kx7q-2m9d-p4tz", "sessionId": "s-kx7q-2m9d-p4tz", "id": "hls-kx7q",
			"playbackHlsUrl": "https://cdn.videosdk.live/meetings-hls/b8a770ef-d713-4a27-9ab7-e5a0b724caaf/index.m3u8"}),
		videosdkHook("recording-started", map[string]any{"meetingId": "kx7q-2m9d-p4tz", "sessionId": "s-kx7q-2m9d-p4tz", "id": "rec-kx7q"}),
		videosdkHook("recording-failed", map[string]any{"meetingId": "r8wn-5c1j-h6ye", "sessionId": "s-r8wn-5c1j-h6ye", "id": "rec-r8wn",
			"message": "Recording failed: the storage bucket rejected the upload (403 AccessDenied)"}),
	)
}

// TestBrowserPhoneLayout checks no page scrolls sideways on a phone: list
// rows become cards (TestBrowserPhoneLists checks what they show), and only
// a long event body scrolls inside its own box.
func TestBrowserPhoneLayout(t *testing.T) {
	s := start(t, tempDBEnv(t))
	phoneFixtures(t, s)
	b := newTab(t, s.URL, 390, 844)
	for _, path := range []string{"/", "/meetings/jvsg-8rjn-j304", "/recordings", "/events", "/meetings", "/streams", "/calls", "/problems", "/recordings?status=failed&meeting=r8wn", "/?view=table"} {
		b.open(path)
		b.waitLive(10 * time.Second)
		type layout struct {
			ScrollWidth, InnerWidth, ClientWidth float64
			Offenders                            []string
		}
		l := evalJS[layout](b, `(() => {
			const w = window.innerWidth, out = [];
			for (const el of document.body.querySelectorAll("*")) {
				const r = el.getBoundingClientRect();
				if (r.right <= w + 0.5) continue;
				let clipped = false; // inside a box that scrolls or clips on its own
				for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
					if (getComputedStyle(a).overflowX !== "visible") { clipped = true; break; }
				}
				if (clipped) continue;
				if (el.parentElement && el.parentElement !== document.body && el.parentElement.getBoundingClientRect().right > w + 0.5) continue;
				out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).trim().split(/\s+/).join(".") : "") +
					" right=" + Math.round(r.right) + " text=" + JSON.stringify(el.textContent.trim().slice(0, 60)));
				if (out.length >= 10) break;
			}
			return {ScrollWidth: document.documentElement.scrollWidth, InnerWidth: w, ClientWidth: document.documentElement.clientWidth, Offenders: out};
		})()`)
		if l.InnerWidth != 390 {
			t.Errorf("%s: innerWidth %v, want the 390px viewport", path, l.InnerWidth)
		}
		if l.ScrollWidth > l.InnerWidth {
			t.Errorf("%s scrolls sideways on a phone: scrollWidth %v > innerWidth %v; too wide:\n  %s",
				path, l.ScrollWidth, l.InnerWidth, strings.Join(l.Offenders, "\n  "))
		}
	}
	b.checkClean()
}

// TestBrowserScreenshots renders the screenshots in docs/screenshots when
// UPDATE_SCREENSHOTS=1.
func TestBrowserScreenshots(t *testing.T) {
	if os.Getenv("UPDATE_SCREENSHOTS") != "1" {
		t.Skip("set UPDATE_SCREENSHOTS=1 to write docs/screenshots/*.png")
	}
	s := start(t, tempDBEnv(t))
	// A realistic afternoon: several rooms, one recording running, one HLS
	// stream playable, one recording failed, and a session that ended.
	now := time.Now().UTC()
	ago := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	type room struct {
		meeting string
		started time.Duration
		people  []string
	}
	rooms := []room{
		{"kx7q-2m9d-p4tz", 47 * time.Minute, []string{"Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson", "Dorothy Vaughan"}},
		{"r8wn-5c1j-h6ye", 22 * time.Minute, []string{"Margaret Hamilton", "Edsger Dijkstra"}},
		{"b3vf-9t0s-q2lx", 8 * time.Minute, []string{"Barbara Liskov", "Ken Thompson", "Frances Allen"}},
		{"support-call-4471", 3 * time.Minute, []string{"Support agent", "Customer"}},
	}
	for _, r := range rooms {
		d := map[string]any{"meetingId": r.meeting, "sessionId": "s-" + r.meeting}
		s.mustPost(t, videosdkHook("session-started", withFields(d, "start", ago(r.started))))
		for i, p := range r.people {
			s.mustPost(t, videosdkHook("participant-joined", withFields(d, "participantId", fmt.Sprintf("p%d", i), "participantName", p)))
		}
		switch r.meeting {
		case "kx7q-2m9d-p4tz":
			s.mustPost(t,
				videosdkHook("recording-starting", withFields(d, "id", "rec-kx7q")),
				videosdkHook("recording-started", withFields(d, "id", "rec-kx7q")),
				videosdkHook("hls-starting", withFields(d, "id", "hls-kx7q")),
				videosdkHook("hls-started", withFields(d, "id", "hls-kx7q")),
				videosdkHook("hls-playable", withFields(d, "id", "hls-kx7q",
					"playbackHlsUrl", "https://cdn.videosdk.live/meetings-hls/7c1e2f60-3b8a-4c2d-9e51-0a6d2b9f4e11/index.m3u8",
					"livestreamUrl", "https://cdn.videosdk.live/meetings-hls/7c1e2f60-3b8a-4c2d-9e51-0a6d2b9f4e11/livestream.m3u8")),
				videosdkHook("transcription-started", withFields(d, "id", "tr-kx7q")),
			)
		case "r8wn-5c1j-h6ye":
			s.mustPost(t,
				videosdkHook("recording-starting", withFields(d, "id", "rec-r8wn")),
				videosdkHook("recording-failed", withFields(d, "id", "rec-r8wn", "message", "Recording failed: the storage bucket rejected the upload")),
			)
		case "b3vf-9t0s-q2lx":
			s.mustPost(t, videosdkHook("recording-starting", withFields(d, "id", "rec-b3vf")))
		}
	}
	ended := map[string]any{"meetingId": "m2hd-7k4r-w9ca", "sessionId": "s-m2hd-7k4r-w9ca"}
	s.mustPost(t,
		videosdkHook("session-started", withFields(ended, "start", ago(95*time.Minute))),
		videosdkHook("participant-joined", withFields(ended, "participantId", "x1", "participantName", "Hedy Lamarr")),
		videosdkHook("session-ended", withFields(ended, "start", ago(95*time.Minute), "end", ago(31*time.Minute))),
	)

	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shoot := func(name, path string, width, height int) {
		t.Helper()
		b := newTab(t, s.URL, width, height)
		b.open(path)
		b.waitLive(10 * time.Second)
		time.Sleep(300 * time.Millisecond) // let app.js localize times
		png, err := evalShot(b)
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
		b.checkClean()
	}
	shoot("rooms.png", "/", 1280, 800)
	shoot("rooms-phone.png", "/", 390, 844)
	// The meeting page shows every kind of job of the v2 examples.
	for _, body := range v2Fixtures(t) {
		s.mustPost(t, body)
	}
	shoot("meeting.png", "/meetings/jvsg-8rjn-j304", 1280, 1400)
}

func evalShot(b *tab) ([]byte, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.CaptureScreenshot())
}
