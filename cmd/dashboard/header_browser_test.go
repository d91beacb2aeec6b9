package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser tests of the page header: it stays on screen, and says when the
// live connection is lost.

// TestBrowserStickyHeader: the header (navigation, filter, live status)
// stays on screen when a long board is scrolled, on a laptop and a phone.
func TestBrowserStickyHeader(t *testing.T) {
	s := start(t, tempDBEnv(t))
	for i := 0; i < 24; i++ {
		s.room(t, fmt.Sprintf("sticky-%02d", i), time.Duration(i)*time.Minute, 3)
	}
	for _, size := range []struct{ w, h int }{{1280, 800}, {390, 844}} {
		b := newTab(t, s.URL, size.w, size.h)
		b.open("/")
		b.waitLive(10 * time.Second)
		evalJS[chromedp.Void](b, `window.scrollTo(0, document.documentElement.scrollHeight)`)
		b.waitFor("the page scrolled", `window.scrollY > 500`, 10*time.Second)
		type seen struct{ Header, Filter, Live, Nav bool }
		got := evalJS[seen](b, `(() => {
			const on = el => { const r = el.getBoundingClientRect(); return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && document.elementFromPoint(r.left + Math.min(4, r.width / 2), r.top + r.height / 2)?.closest("header.top") !== null; };
			return {Header: document.querySelector("header.top").getBoundingClientRect().top === 0,
				Filter: on(document.querySelector('header.top form.filter input[name="meeting"]')),
				Live: on(document.getElementById("live-status")),
				Nav: on(document.querySelector('header.top nav a[aria-current="page"]'))};
		})()`)
		if !got.Header || !got.Filter || !got.Live || !got.Nav {
			t.Errorf("%dx%d scrolled to the bottom: header at the top %v, filter %v, live status %v, navigation %v on screen",
				size.w, size.h, got.Header, got.Filter, got.Live, got.Nav)
		}
		b.checkClean()
	}
}

// TestBrowserDisconnectedBanner: when the server stops, the page says its
// live connection is lost and dims what may be stale; when it is back, the
// banner goes.
func TestBrowserDisconnectedBanner(t *testing.T) {
	env, addr := tempDBEnv(t), freeAddr(t)
	first := start(t, env, "-addr", addr)
	first.room(t, "banner-1", time.Minute, 1)
	b := newTab(t, first.URL, 1280, 900)
	b.open("/?view=table")
	b.waitLive(10 * time.Second)
	if !evalJS[bool](b, `document.getElementById("live-banner").hidden && getComputedStyle(document.querySelector("main")).opacity === "1"`) {
		t.Errorf("a live page shows the banner or is dimmed")
	}

	first.stop()
	b.waitFor("the banner", `!document.getElementById("live-banner").hidden`, 10*time.Second)
	if text := evalJS[string](b, `document.getElementById("live-banner").textContent`); !strings.Contains(text, "Connection lost") || !strings.Contains(text, "out of date") {
		t.Errorf("the banner says %q", text)
	}
	if op := evalJS[float64](b, `parseFloat(getComputedStyle(document.querySelector("main")).opacity)`); op >= 1 {
		t.Errorf("the page is not dimmed while disconnected (opacity %v)", op)
	}
	if !evalJS[bool](b, `(r => r.top >= 0 && r.bottom <= innerHeight)(document.getElementById("live-banner").getBoundingClientRect())`) {
		t.Errorf("the banner is off screen")
	}

	second := start(t, env, "-addr", addr)
	second.mustPost(t, joined("banner-2", "Bo"))
	b.waitLive(30 * time.Second)
	b.waitFor("the banner gone", `document.getElementById("live-banner").hidden && !document.documentElement.hasAttribute("data-stale")`, 10*time.Second)
	b.waitFor("the room posted while away", `document.querySelector('[data-meeting="banner-2"]')`, 10*time.Second)
	b.notReloaded()
	b.checkClean()
}
