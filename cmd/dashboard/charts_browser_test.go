package main

import (
	"strings"
	"testing"
	"time"
)

// TestBrowserCharts watches a delivery arrive on the open charts page,
// without a reload: its chart's legend counts it and a bar is drawn; then
// the live-rooms board's strip counts the next. On a phone the charts fit
// the screen.
func TestBrowserCharts(t *testing.T) {
	s := start(t, tempDBEnv(t))
	b := newTab(t, s.URL, 1280, 900)
	b.open("/charts")
	b.waitLive(10 * time.Second)
	legend := `document.querySelector('#chart-deliveries-provider .legend').textContent`
	bar := `document.querySelector('#chart-deliveries-provider path.bar')`
	if got := evalJS[string](b, legend); strings.Contains(got, "videosdk") {
		t.Fatalf("the legend counts deliveries before any came: %q", got)
	}
	if got := evalJS[string](b, `document.querySelector('#chart-rooms svg').getAttribute('role') + ": " + document.querySelector('#chart-rooms svg title').textContent`); got != "img: Rooms live" {
		t.Errorf("the rooms chart is named %q to a screen reader", got)
	}

	s.mustPost(t, videosdkHook("participant-joined", map[string]any{"meetingId": "chart-1", "sessionId": "s", "participantId": "p1", "participantName": "Ann"}))
	b.waitFor("the delivery on the chart", legend+`.replace(/\s+/g, " ").includes("videosdk 1")`, 15*time.Second)
	if d := evalJS[string](b, bar+`.getAttribute('d')`); !strings.HasPrefix(d, "M") {
		t.Errorf("no bar drawn for the delivery: d=%q", d)
	}
	if got := evalJS[string](b, `document.querySelector('#chart-deliveries-provider desc').textContent`); !strings.Contains(got, "videosdk: 1 in all") {
		t.Errorf("the chart's description: %q", got)
	}
	b.notReloaded()

	b.open("/")
	b.waitLive(10 * time.Second)
	deliveries := `[...document.querySelectorAll('#charts-strip .strip-tile')].find(a => a.querySelector('.strip-label').textContent === "Deliveries").querySelector('.strip-value').textContent`
	if got := evalJS[string](b, deliveries); got != "1" {
		t.Fatalf("the strip counts %q deliveries", got)
	}
	s.mustPost(t, videosdkHook("participant-joined", map[string]any{"meetingId": "chart-1", "sessionId": "s", "participantId": "p2", "participantName": "Bo"}))
	b.waitFor("the strip counting the second delivery", deliveries+` === "2"`, 15*time.Second)
	b.notReloaded()
	b.checkClean()

	phone := newTab(t, s.URL, 390, 844)
	for _, path := range []string{"/charts?range=week", "/"} {
		phone.open(path)
		phone.waitLive(10 * time.Second)
		if w := evalJS[int](phone, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s is %d px wide on a 390 px phone", path, w)
		}
	}
	if w := evalJS[float64](phone, `document.querySelector('#charts-strip svg').getBoundingClientRect().width`); w < 100 {
		t.Errorf("the strip's chart is %.0f px wide on a phone", w)
	}
	phone.checkClean()
}
