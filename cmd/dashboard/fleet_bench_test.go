package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/chromedp"
)

// BenchmarkFleetBoard watches the live-rooms board at fleet scale in
// headless Chromium: the traffic simulator keeps about 300 rooms live at
// 200 webhooks a second, and for a fixed window the benchmark measures
// what the tab goes through. The board is opened once the first rooms
// have begun to close (the simulator's rooms live three to five minutes),
// so rooms open and close during the window, two or three a second. Run
// it with
//
//	go test -run '^$' -bench FleetBoard ./cmd/dashboard/
//
// Each view (cards, table) reports:
//
//   - busy-%: the share of the window the page's main thread spent in
//     tasks (CDP Performance.getMetrics TaskDuration);
//   - longtasks and longtask-max-ms: tasks over 50 ms (PerformanceObserver);
//   - ws-KB/s: bytes received on the page's websocket (CDP
//     Network.webSocketFrameReceived), per second;
//   - key-p50-ms and key-max-ms: from a key press in the filter box to the
//     frame after the page handled it (the keydown's timestamp to a
//     setTimeout after the next animation frame), over typing a meeting
//     id's first seven characters and deleting them;
//   - page-KB and screens: the page's HTML as first served and its height
//     in 1280x900 screens; rooms: the live rooms it counted.
func BenchmarkFleetBoard(b *testing.B) {
	chromiumPath(b)
	sim := buildSimulator(b)
	for _, view := range []string{"cards", "table"} {
		b.Run(view, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				fleetBoard(b, sim, view)
			}
		})
	}
}

// fleet is the load and the measurement of BenchmarkFleetBoard.
const (
	fleetRooms  = 300
	fleetRate   = 200
	fleetWarmup = 4 * time.Minute // from the simulator's start to the board's opening
	fleetWindow = 30 * time.Second
)

// buildSimulator builds cmd/simulate into a temporary directory.
func buildSimulator(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "simulate")
	out, err := exec.Command("go", "build", "-o", bin, "../simulate").CombinedOutput()
	if err != nil {
		b.Fatalf("build the simulator: %v\n%s", err, out)
	}
	return bin
}

// liveCount reads "Live now (N)" from a page's HTML.
var liveCount = regexp.MustCompile(`Live now\s*(?:<[^>]*>\s*)*\((\d+)\)`)

// fetchBoard reads a page of the dashboard and the live rooms it counts.
func fetchBoard(b *testing.B, url string) (int, int) {
	b.Helper()
	resp, err := benchClient.Get(url)
	if err != nil {
		b.Fatalf("GET %s: %v", url, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	m := liveCount.FindSubmatch(body)
	if m == nil {
		b.Fatalf("GET %s: no live count in the page", url)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return len(body), n
}

func fleetBoard(b *testing.B, sim, view string) {
	s := start(b, map[string]string{"DATABASE_URL": filepath.Join(b.TempDir(), "d.db")})
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, sim, "-url", s.URL, "-rooms", strconv.Itoa(fleetRooms), "-rate", strconv.Itoa(fleetRate), "-seed", "1")
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		b.Fatalf("start the simulator: %v", err)
	}
	b.Cleanup(func() {
		cancel()
		cmd.Wait()
	})

	// Warm up until the fleet is live and rooms come and go, then open the
	// board on it.
	started := time.Now()
	path := "/?view=" + view
	for {
		if _, n := fetchBoard(b, s.URL+path); n >= fleetRooms {
			break
		}
		if time.Since(started) > 2*time.Minute {
			b.Fatalf("fewer than %d rooms live after 2 minutes", fleetRooms)
		}
		time.Sleep(2 * time.Second)
	}
	time.Sleep(time.Until(started.Add(fleetWarmup)))
	pageBytes, rooms := fetchBoard(b, s.URL+path)
	tab := newTab(b, s.URL, 1280, 900)
	tab.open(path)
	tab.waitLive(30 * time.Second)
	time.Sleep(3 * time.Second) // the snapshot's swap
	screens := evalJS[float64](tab, `document.documentElement.scrollHeight / innerHeight`)

	// The window: main-thread time, long tasks, websocket bytes.
	var wsBytes atomic.Int64
	counting := atomic.Bool{}
	if err := chromedp.Listen(tab.ctx, func(ev any) {
		if f, ok := ev.(*network.EventWebSocketFrameReceived); ok && counting.Load() && f.Response != nil {
			wsBytes.Add(int64(len(f.Response.PayloadData)))
		}
	}); err != nil {
		b.Fatal(err)
	}
	callCDP(b, tab, network.Enable, network.EnableParams{})
	callCDP(b, tab, performance.Enable, performance.EnableParams{})
	evalJS[chromedp.Void](tab, `window.__longTasks = [];
		new PerformanceObserver(list => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); }).observe({type: "longtask"})`)
	task0, wall0 := taskSeconds(b, tab), time.Now()
	counting.Store(true)
	time.Sleep(fleetWindow)
	counting.Store(false)
	task1, wall1 := taskSeconds(b, tab), time.Now()
	long := evalJS[[]float64](tab, `window.__longTasks`)
	received := wsBytes.Load()

	// Typing in the filter box, under the same load.
	evalJS[chromedp.Void](tab, `window.__keyLatency = [];
		document.addEventListener("keydown", e => { window.__keyAt = e.timeStamp; }, true);
		window.addEventListener("input", () => {
			const at = window.__keyAt;
			requestAnimationFrame(() => setTimeout(() => window.__keyLatency.push(performance.now() - at), 0));
		})`)
	prefix := evalJS[string](tab, `(document.querySelector("[data-meeting]") || {dataset: {meeting: "demo-abc"}}).dataset.meeting.slice(0, 7)`)
	tab.do(10*time.Second, chromedp.Focus(chromedp.CSS(`form.filter input[name="meeting"]`)))
	keys := 0
	for _, k := range prefix + "\b\b\b\b\b\b\b" {
		tab.do(10*time.Second, chromedp.KeyEvent(string(k)))
		keys++
		time.Sleep(300 * time.Millisecond)
	}
	tab.waitFor("every key's latency", fmt.Sprintf(`window.__keyLatency.length >= %d`, keys), 10*time.Second)
	keyLat := evalJS[[]float64](tab, `window.__keyLatency`)

	secs := wall1.Sub(wall0).Seconds()
	busy := 100 * (task1 - task0) / secs
	maxLong := 0.0
	for _, d := range long {
		maxLong = math.Max(maxLong, d)
	}
	sort.Float64s(keyLat)
	b.ReportMetric(busy, "busy-%")
	b.ReportMetric(float64(len(long)), "longtasks")
	b.ReportMetric(maxLong, "longtask-max-ms")
	b.ReportMetric(float64(received)/1000/secs, "ws-KB/s")
	b.ReportMetric(keyLat[len(keyLat)/2], "key-p50-ms")
	b.ReportMetric(keyLat[len(keyLat)-1], "key-max-ms")
	b.ReportMetric(float64(pageBytes)/1000, "page-KB")
	b.ReportMetric(screens, "screens")
	b.ReportMetric(float64(rooms), "rooms")
	tab.checkClean()
}

// callCDP runs a protocol command in the tab.
func callCDP[P, R any](b *testing.B, tab *tab, cmd cdp.Command[P, R], params P) R {
	b.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, 10*time.Second)
	defer cancel()
	r, err := chromedp.Call(ctx, cmd, params)
	if err != nil {
		b.Fatalf("CDP: %v", err)
	}
	return r
}

// taskSeconds is the time the page's main thread has spent in tasks.
func taskSeconds(b *testing.B, tab *tab) float64 {
	b.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, 10*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, performance.GetMetrics, cdp.Empty{})
	if err != nil {
		b.Fatalf("Performance.getMetrics: %v", err)
	}
	for _, m := range res.Metrics {
		if m.Name == "TaskDuration" {
			return m.Value
		}
	}
	b.Fatal("no TaskDuration among the page's metrics")
	return 0
}
