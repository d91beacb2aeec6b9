package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// End-to-end tests of the in-page HLS player (views/player.templ,
// static/player.js): a real Chromium plays a tiny stream (testdata/hls)
// that the test serves as a stream host would, on a port and origin of
// its own.

// streamHost serves testdata/hls as an HLS stream host does: playlists as
// application/vnd.apple.mpegurl, segments as video/mp2t, with CORS open to
// any origin (the dashboard's page is another origin). It records every
// request it gets, with the Host it was asked under.
type streamHost struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string // "host path"
}

func newStreamHost(t *testing.T) *streamHost {
	t.Helper()
	h := &streamHost{}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func (h *streamHost) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.seen = append(h.seen, r.Host+" "+r.URL.Path)
	h.mu.Unlock()
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "GET, HEAD")
		w.Header().Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	name := path.Base(r.URL.Path)
	types := map[string]string{".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t"}
	typ, ok := types[path.Ext(name)]
	if !ok || !strings.HasPrefix(r.URL.Path, "/live/") {
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(filepath.Join("testdata", "hls", name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", typ)
	http.ServeContent(w, r, name, time.Time{}, f)
}

// requests are the requests the host has had so far.
func (h *streamHost) requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.seen...)
}

// hostPort is the host's address under name (a name or address of the
// loopback interface the test server listens on), with its port.
func (h *streamHost) hostPort(name string) string {
	_, port, _ := net.SplitHostPort(h.Listener.Addr().String())
	return net.JoinHostPort(name, port)
}

// playlist is the stream's URL under name.
func (h *streamHost) playlist(name string) string {
	return "http://" + h.hostPort(name) + "/live/index.m3u8"
}

// beforeScripts has the tab run src in every document it opens from now
// on, before the document's own scripts.
func beforeScripts(b *tab, src string) {
	b.tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
		b.tb.Fatalf("add a script to run before the page's: %v", err)
	}
}

// watchPolicy records the page's Content-Security-Policy violations in
// window.__cspViolations, from before any of its scripts run.
func watchPolicy(b *tab) {
	beforeScripts(b, `
		window.__cspViolations = [];
		document.addEventListener("securitypolicyviolation", e => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));`)
}

// noStreamRequests fails the test if the stream host has been asked
// anything, by its own record or by the page's record of what it loaded.
func noStreamRequests(t *testing.T, b *tab, h *streamHost, when string) {
	t.Helper()
	if got := h.requests(); len(got) > 0 {
		t.Errorf("%s, the stream host was already asked for %q", when, got)
	}
	if got := evalJS[[]string](b, `performance.getEntriesByType("resource").map(e => e.name).filter(n => n.startsWith(`+jsLit(h.URL)+`) || n.includes("/live/"))`); len(got) > 0 {
		t.Errorf("%s, the page already loaded %q", when, got)
	}
}

// released is a condition on window.__v, a <video> the page had: it is out
// of the page, stopped, and holds no stream (its source removed and
// reloaded empty, hls.js detached).
const released = `!__v.isConnected && __v.paused && !__v.getAttribute("src") && __v.readyState === 0 && __v.networkState === HTMLMediaElement.NETWORK_EMPTY`

// TestBrowserHLSPlayer plays a stream with hls.js on a meeting's page: no
// request reaches the stream's host before Play, the video plays under the
// Content-Security-Policy, a live update of the streams keeps it playing,
// Close lets the stream go, and a URL on a host the link allowlist refuses
// is neither a link nor playable. On the live rooms page, a room that ends
// takes its player with it.
func TestBrowserHLSPlayer(t *testing.T) {
	host := newStreamHost(t)
	s := start(t, map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "d.db"), "DASHBOARD_LINK_HOSTS": "127.0.0.1"})
	stream, refused := host.playlist("127.0.0.1"), host.playlist("localhost")
	room := map[string]any{"meetingId": "hls-room", "sessionId": "s-hls-room"}
	s.mustPost(t,
		videosdkHook("session-started", withFields(room, "start", time.Now().UTC().Format(time.RFC3339))),
		videosdkHook("hls-playable", withFields(room, "id", "hls-ok", "playbackHlsUrl", stream)),
		videosdkHook("hls-playable", withFields(room, "id", "hls-refused", "sessionId", "s-other", "playbackHlsUrl", refused)),
	)

	b := newTab(t, s.URL, 1280, 900)
	watchPolicy(b)
	b.open("/meetings/hls-room")
	b.waitLive(10 * time.Second)
	box := `document.querySelector('#meeting-streams .player[data-src=` + jsLit(stream) + `]')`
	b.waitFor("the stream's Play button, shown", box+` && `+box+`.querySelector("button.play").offsetParent !== null`, 10*time.Second)
	b.waitFor("the refused URL, as text", `document.querySelector("#meeting-streams").textContent.includes(`+jsLit(refused)+`)`, 10*time.Second)
	if n := evalJS[int](b, `[...document.querySelectorAll("a, .player")].filter(el => (el.getAttribute("href") || el.getAttribute("data-src")) === `+jsLit(refused)+`).length`); n != 0 {
		t.Errorf("the URL on a refused host has %d links or players", n)
	}
	if evalJS[bool](b, `!!window.Hls`) {
		t.Errorf("hls.js was loaded before anything was played")
	}
	noStreamRequests(t, b, host, "before Play")

	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`#meeting-streams .player > button.play`)))
	b.waitFor("a video in the player", box+`.querySelector("video")`, 10*time.Second)
	evalJS[chromedp.Void](b, `window.__v = `+box+`.querySelector("video")`)
	b.waitFor("the video's currentTime to advance", `__v.currentTime > 0.5`, 60*time.Second)
	if src := evalJS[string](b, `__v.src`); !strings.HasPrefix(src, "blob:") {
		t.Errorf("video src %q, want a blob: MediaSource (hls.js plays it in this browser)", src)
	}
	if got := host.requests(); !hasString(got, host.hostPort("127.0.0.1")+" /live/index.m3u8") || !hasString(got, host.hostPort("127.0.0.1")+" /live/seg0.ts") {
		t.Errorf("the stream host was asked for %q, want the playlist and its first segment", got)
	}
	if !evalJS[bool](b, `performance.getEntriesByType("resource").some(e => new URL(e.name).pathname === "/static/vendor/hls.worker.js")`) {
		t.Errorf("hls.js did not load its worker from /static/vendor/hls.worker.js")
	}
	if v := evalJS[[]string](b, `window.__cspViolations`); len(v) > 0 {
		t.Errorf("the player broke the Content-Security-Policy: %q", v)
	}

	// A live update of the streams panel keeps the playing video.
	before := evalJS[float64](b, `__v.currentTime`)
	evalJS[chromedp.Void](b, `window.__panel = document.getElementById("meeting-streams")`)
	s.mustPost(t, videosdkHook("livestream-started", withFields(room, "id", "ls-1")))
	b.waitFor("the streams panel swapped by the live update", `document.getElementById("meeting-streams") !== __panel`, 10*time.Second)
	b.waitFor("the same video, still in the page and playing on",
		`__v.isConnected && __v.closest("#meeting-streams") && document.querySelectorAll("video").length === 1 && __v.readyState > 0 && (__v.currentTime > `+jsLit(before)+` || __v.ended)`, 30*time.Second)

	// Close stops it and lets the stream go.
	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`#meeting-streams .player > button.player-close`)))
	b.waitFor("the closed video released", released, 10*time.Second)
	b.waitFor("the Play button back", box+`.querySelector("button.play").offsetParent !== null && !`+box+`.querySelector("video")`, 10*time.Second)

	// The refused host is out of reach of the page's scripts too.
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+jsLit(refused)+`).then(() => "fetched", () => "refused")`, chromedp.EvalAwaitPromise))
	cancel()
	if err != nil || got != "refused" {
		t.Errorf("fetch from the refused host: %q, %v; want it refused by the page's policy", got, err)
	}
	if v := evalJS[[]string](b, `window.__cspViolations`); len(v) != 1 || !strings.HasPrefix(v[0], "connect-src "+refused) {
		t.Errorf("policy violations %q, want one: connect-src for the refused host", v)
	}
	for _, r := range host.requests() {
		if strings.HasPrefix(r, "localhost") {
			t.Errorf("the refused host was asked for %s", r)
		}
	}
	b.notReloaded()
	b.checkClean()

	// The live rooms page: the room's card ends, and its player with it.
	b.open("/")
	b.waitLive(10 * time.Second)
	card := `document.querySelector('[data-meeting="hls-room"]')`
	b.waitFor("the room's Play button", card+` && `+card+`.querySelector(".player > button.play")`, 10*time.Second)
	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`[data-meeting="hls-room"] .player > button.play`)))
	b.waitFor("a video in the room's card", card+`.querySelector(".player video")`, 10*time.Second)
	evalJS[chromedp.Void](b, `window.__v = `+card+`.querySelector(".player video")`)
	b.waitFor("the room's video playing", `__v.readyState >= 2 && (__v.currentTime > 0 || __v.ended)`, 60*time.Second)
	// Someone joins: the room's card is pushed again, and the video in it
	// plays on, the same element.
	s.mustPost(t, videosdkHook("participant-joined", withFields(room, "participantId", "late-1", "participantName", "Late Joiner")))
	b.waitFor("the card with the one who joined, and the same video in it", card+` && `+card+`.textContent.includes("Late Joiner") && `+
		card+`.querySelector(".player video") === __v && __v.isConnected && !__v.paused`, 10*time.Second)
	// The refused stream's session (s-other) is live too: end both.
	end := time.Now().UTC().Format(time.RFC3339)
	s.mustPost(t,
		videosdkHook("session-ended", withFields(room, "sessionId", "s-other", "end", end)),
		videosdkHook("session-ended", withFields(room, "end", end)))
	// The board keeps an ended room's card, marked, while the operator
	// reads it (the click on Play), or takes it away otherwise.
	b.waitFor("the room's card ended or gone", `!`+card+` || `+card+`.classList.contains("ended")`, 10*time.Second)
	b.waitFor("the ended card's video released", released, 10*time.Second)
	if v := evalJS[[]string](b, `window.__cspViolations`); len(v) > 0 {
		t.Errorf("the player broke the Content-Security-Policy: %q", v)
	}
	b.notReloaded()
	b.checkClean()
}

// TestBrowserHLSNativeOnPhone plays a stream on the streams list of a
// 390x844 phone whose browser has no Media Source Extensions, so the
// <video> element plays HLS itself, as an iPhone's Safari does (Chromium
// plays HLS natively too; MediaSource is taken away before the page runs).
// With no link allowlist, every http(s) URL is a link and may play. The
// player fits the screen.
func TestBrowserHLSNativeOnPhone(t *testing.T) {
	host := newStreamHost(t)
	s := start(t, tempDBEnv(t))
	stream := host.playlist("127.0.0.1")
	s.mustPost(t, videosdkHook("hls-playable", map[string]any{"meetingId": "hls-phone", "sessionId": "s-hls-phone", "id": "hls-phone", "playbackHlsUrl": stream}))

	b := newTab(t, s.URL, 390, 844)
	watchPolicy(b)
	beforeScripts(b, `delete window.MediaSource; delete window.ManagedMediaSource; delete window.WebKitMediaSource;`)
	b.open("/streams")
	b.waitLive(10 * time.Second)
	if evalJS[bool](b, `"MediaSource" in window`) {
		t.Fatal("MediaSource is still there; the test cannot show the native player")
	}
	if got := evalJS[string](b, `document.createElement("video").canPlayType("application/vnd.apple.mpegurl")`); got == "" {
		t.Fatalf("this Chromium (%s) cannot play HLS natively (canPlayType says %q), so the native player cannot be shown playing", chromiumPath(t), got)
	}
	box := `document.querySelector('#streams-list .player[data-src=` + jsLit(stream) + `]')`
	b.waitFor("the stream's Play button, shown", box+` && `+box+`.querySelector("button.play").offsetParent !== null`, 10*time.Second)
	noStreamRequests(t, b, host, "before Play")

	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`#streams-list .player > button.play`)))
	b.waitFor("a video in the player", box+`.querySelector("video")`, 10*time.Second)
	evalJS[chromedp.Void](b, `window.__v = `+box+`.querySelector("video")`)
	b.waitFor("the video's currentTime to advance", `__v.currentTime > 0.5`, 60*time.Second)
	if src := evalJS[string](b, `__v.src`); src != stream {
		t.Errorf("video src %q, want the playlist itself (the browser's own HLS player)", src)
	}
	if evalJS[bool](b, `!!window.Hls`) {
		t.Errorf("hls.js was loaded where the browser plays HLS itself")
	}
	if v := evalJS[[]string](b, `window.__cspViolations`); len(v) > 0 {
		t.Errorf("the player broke the Content-Security-Policy: %q", v)
	}

	type extent struct{ Left, Right, Width, ViewWidth, ScrollWidth float64 }
	fit := evalJS[extent](b, `(r => ({Left: r.left, Right: r.right, Width: r.width, ViewWidth: innerWidth, ScrollWidth: document.documentElement.scrollWidth}))(__v.getBoundingClientRect())`)
	if fit.Left < 0 || fit.Right > fit.ViewWidth || fit.Width < fit.ViewWidth/2 {
		t.Errorf("the video spans %.0f to %.0f px of a %.0f px screen; want it on the screen and at least half its width", fit.Left, fit.Right, fit.ViewWidth)
	}
	if fit.ScrollWidth > fit.ViewWidth {
		t.Errorf("the page is %.0f px wide on a %.0f px screen with the player open", fit.ScrollWidth, fit.ViewWidth)
	}
	b.do(10*time.Second, chromedp.Click(chromedp.CSS(`#streams-list .player > button.player-close`)))
	b.waitFor("the closed video released", released, 10*time.Second)
	b.notReloaded()
	b.checkClean()
}
