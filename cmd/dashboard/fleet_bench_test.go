package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
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
//     tasks (CDP Performance.getMetrics TaskDuration), and script-%,
//     style-% and layout-% the shares spent in script, style and layout.
//     These are wall times, which grow when the machine is busy with other
//     work and the thread waits for a core; main-cpu-% is the CPU time the
//     renderer's main thread used (from /proc), which does not;
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
	// The window starts once the socket's first message (everything the
	// page shows, swapped in whole) has been handled.
	callCDP(b, tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__wsMessages = 0; document.addEventListener("htmx:wsAfterMessage", () => window.__wsMessages++);`})
	tab.open(path)
	tab.waitLive(30 * time.Second)
	tab.waitFor("the snapshot handled", `window.__wsMessages >= 1`, time.Minute)
	time.Sleep(2 * time.Second)
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
	browser := chromedp.FromContext(tab.ctx).Browser.Process()
	m0, cpu0, wall0 := pageMetrics(b, tab), rendererMainCPU(b, browser), time.Now()
	counting.Store(true)
	time.Sleep(fleetWindow)
	counting.Store(false)
	m1, cpu1, wall1 := pageMetrics(b, tab), rendererMainCPU(b, browser), time.Now()
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
		tab.do(time.Minute, chromedp.KeyEvent(string(k)))
		keys++
		time.Sleep(300 * time.Millisecond)
	}
	tab.waitFor("every key's latency", fmt.Sprintf(`window.__keyLatency.length >= %d`, keys), time.Minute)
	keyLat := evalJS[[]float64](tab, `window.__keyLatency`)

	secs := wall1.Sub(wall0).Seconds()
	share := func(name string) float64 { return 100 * (m1[name] - m0[name]) / secs }
	maxLong := 0.0
	for _, d := range long {
		maxLong = math.Max(maxLong, d)
	}
	sort.Float64s(keyLat)
	b.ReportMetric(share("TaskDuration"), "busy-%")
	b.ReportMetric(share("ScriptDuration"), "script-%")
	b.ReportMetric(share("RecalcStyleDuration"), "style-%")
	b.ReportMetric(share("LayoutDuration"), "layout-%")
	b.ReportMetric(100*(cpu1-cpu0).Seconds()/secs, "main-cpu-%")
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

// pageMetrics are the page's run-time metrics (CDP Performance.getMetrics):
// among them the seconds its main thread has spent in tasks
// (TaskDuration), and of those in script, style and layout.
func pageMetrics(b *testing.B, tab *tab) map[string]float64 {
	b.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, 10*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, performance.GetMetrics, cdp.Empty{})
	if err != nil {
		b.Fatalf("Performance.getMetrics: %v", err)
	}
	out := map[string]float64{}
	for _, m := range res.Metrics {
		out[m.Name] = m.Value
	}
	if _, ok := out["TaskDuration"]; !ok {
		b.Fatal("no TaskDuration among the page's metrics")
	}
	return out
}

// rendererMainCPU is the CPU time used by the main threads of the
// browser's renderer processes (the processes descended from the browser
// with --type=renderer; a process's main thread has its pid), read from
// /proc.
func rendererMainCPU(b *testing.B, browser *os.Process) time.Duration {
	b.Helper()
	if browser == nil {
		b.Fatal("no browser process")
	}
	children := map[int][]int{}
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		pid, ppid, _, ok := procStat(p)
		if ok {
			children[ppid] = append(children[ppid], pid)
		}
	}
	var ticks int64
	queue := []int{browser.Pid}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		queue = append(queue, children[pid]...)
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if !strings.Contains(string(cmdline), "--type=renderer") {
			continue
		}
		if _, _, cpu, ok := procStat(fmt.Sprintf("/proc/%d/task/%d/stat", pid, pid)); ok {
			ticks += cpu
		}
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}

// procStat reads a /proc stat file: the pid, the parent's pid, and the
// user and system CPU ticks.
func procStat(path string) (pid, ppid int, cpu int64, ok bool) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0, false
	}
	s := string(raw)
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < open {
		return 0, 0, 0, false
	}
	pid, _ = strconv.Atoi(strings.TrimSpace(s[:open]))
	f := strings.Fields(s[close+1:])
	if len(f) < 13 {
		return 0, 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return pid, ppid, utime + stime, true
}
