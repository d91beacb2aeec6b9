package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
)

// The push latency benchmarks measure how long after a webhook's 2xx
// answer its change is on screen: in a real browser's DOM, and at the
// websocket of many plain clients. Run them with
//
//	go test -run '^$' -bench PushLatency -benchtime 30x ./cmd/dashboard/
//
// Each reports the median and the 99th percentile in milliseconds.

var benchClient = &http.Client{Timeout: 10 * time.Second}

// postAt delivers a webhook and returns the wall time its 2xx answer
// arrived.
func postAt(b *testing.B, base string, body []byte) time.Time {
	b.Helper()
	resp, err := benchClient.Post(base+"/webhooks/videosdk", "application/json", bytes.NewReader(body))
	at := time.Now()
	if err != nil {
		b.Fatalf("POST: %v", err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b.Fatalf("POST %s: %d %s", body, resp.StatusCode, raw)
	}
	return at
}

// epochMS is t as milliseconds since the Unix epoch, as the browser counts.
func epochMS(t time.Time) float64 { return float64(t.UnixNano()) / 1e6 }

// reportPercentiles reports the median and the 99th percentile (nearest
// rank) of latencies in milliseconds.
func reportPercentiles(b *testing.B, lat []float64) {
	b.Helper()
	if len(lat) == 0 {
		return
	}
	sort.Float64s(lat)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(lat)))) - 1
		return lat[max(0, min(i, len(lat)-1))]
	}
	b.ReportMetric(rank(0.50), "p50-ms")
	b.ReportMetric(rank(0.99), "p99-ms")
}

// chipObserver records, in the page, when each participant chip first shows
// on the live-rooms page (performance.timeOrigin + performance.now(), ms
// since the epoch), and lets a caller await a name.
const chipObserver = `(() => {
	const seen = new Map(), waiting = new Map();
	const scan = () => {
		const now = performance.timeOrigin + performance.now();
		for (const li of document.querySelectorAll("#rooms-live li.chip")) {
			const name = li.textContent.trim();
			if (seen.has(name)) continue;
			seen.set(name, now);
			const w = waiting.get(name);
			if (w) { waiting.delete(name); w(now); }
		}
	};
	new MutationObserver(scan).observe(document.body, {childList: true, subtree: true});
	window.__chipShown = name => seen.has(name) ? Promise.resolve(seen.get(name)) : new Promise(resolve => waiting.set(name, resolve));
	scan();
})()`

// BenchmarkPushLatency measures, in headless Chromium, the time from a
// webhook's 2xx answer to its participant's chip being in the page's DOM.
func BenchmarkPushLatency(b *testing.B) {
	chromiumPath(b)
	s := start(b, map[string]string{"DATABASE_URL": filepath.Join(b.TempDir(), "d.db")})
	browser := newTab(b, s.URL, 1280, 900)
	browser.open("/")
	browser.waitLive(10 * time.Second)
	evalJS[chromedp.Void](browser, chipObserver)
	// The browser's clock and this process's are the same wall clock;
	// check they agree before comparing times across them.
	before := time.Now()
	browserNow := evalJS[float64](browser, `performance.timeOrigin + performance.now()`)
	after := time.Now()
	if skew := browserNow - (epochMS(before)+epochMS(after))/2; math.Abs(skew) > float64(after.Sub(before).Milliseconds())+5 {
		b.Logf("browser clock differs from Go's by %.1f ms (round trip %v)", skew, after.Sub(before))
	}

	lat := make([]float64, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		name := fmt.Sprintf("latency %d-%d", b.N, i)
		// A room card names its first models.RoomPeople people: a new room
		// every 40 keeps every chip on the page.
		room := fmt.Sprintf("latency-room-%d", i/40)
		body := videosdkHook("participant-joined", map[string]any{"meetingId": room, "sessionId": "s-" + room,
			"participantId": name, "participantName": name})
		answered := postAt(b, s.URL, body)
		ctx, cancel := context.WithTimeout(browser.ctx, 10*time.Second)
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.__chipShown(`+jsLit(name)+`)`, chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			b.Fatalf("waiting for %q in the page: %v\n%s", name, err, browser.state())
		}
		lat = append(lat, shown-epochMS(answered))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
	browser.checkClean()
}

// raiseFDLimit lifts the soft limit on open files to the hard limit.
func raiseFDLimit(b *testing.B) uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Logf("getrlimit: %v", err)
		return 0
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			b.Logf("setrlimit: %v", err)
		}
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	return lim.Cur
}

// BenchmarkPushLatencySocket measures, without a browser, the time from a
// webhook's 2xx answer to the pushed message arriving at each of N
// websocket clients of the live-rooms topic; percentiles are over every
// delivery.
func BenchmarkPushLatencySocket(b *testing.B) {
	limit := raiseFDLimit(b)
	for _, n := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("clients-%d", n), func(b *testing.B) {
			// Each socket is two descriptors in this process (both ends).
			if limit > 0 && uint64(2*n+200) > limit {
				b.Skipf("%d clients need about %d open files; the limit is %d", n, 2*n+200, limit)
			}
			benchSocket(b, n)
		})
	}
}

// socketClient is one subscriber; it reports when a message with the
// current marker arrives, once per marker.
type socketClient struct {
	conn *websocket.Conn
	got  chan time.Time
}

func benchSocket(b *testing.B, n int) {
	s := start(b, map[string]string{"DATABASE_URL": filepath.Join(b.TempDir(), "d.db")})
	ws := strings.Replace(s.URL, "http://", "ws://", 1) + "/live?topic=" + url.QueryEscape("rooms")
	var marker atomic.Pointer[[]byte]
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)

	clients := make([]*socketClient, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
			defer dcancel()
			conn, _, err := websocket.Dial(dctx, ws, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {s.URL}}})
			if err != nil {
				errs <- fmt.Errorf("client %d: %w", i, err)
				return
			}
			conn.SetReadLimit(16 << 20)
			// The first message is the snapshot: the client is subscribed.
			if _, _, err := conn.Read(dctx); err != nil {
				conn.CloseNow()
				errs <- fmt.Errorf("client %d snapshot: %w", i, err)
				return
			}
			clients[i] = &socketClient{conn: conn, got: make(chan time.Time, 4)}
		}(i)
	}
	wg.Wait()
	b.Cleanup(func() {
		for _, c := range clients {
			if c != nil {
				c.conn.CloseNow()
			}
		}
	})
	select {
	case err := <-errs:
		if n >= 1000 {
			b.Skipf("could not open %d websocket clients: %v", n, err)
		}
		b.Fatalf("could not open %d websocket clients: %v", n, err)
	default:
	}
	for _, c := range clients {
		go func(c *socketClient) {
			var last *[]byte
			for {
				_, msg, err := c.conn.Read(ctx)
				if err != nil {
					return
				}
				at := time.Now()
				if m := marker.Load(); m != nil && m != last && bytes.Contains(msg, *m) {
					last = m
					c.got <- at
				}
			}
		}(c)
	}

	lat := make([]float64, 0, b.N*n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		name := fmt.Sprintf("socket-latency-%d-%d", b.N, i)
		m := []byte(name)
		marker.Store(&m)
		// A room card names its first models.RoomPeople people: a new room
		// every 40 keeps every chip on the page.
		room := fmt.Sprintf("latency-room-%d", i/40)
		body := videosdkHook("participant-joined", map[string]any{"meetingId": room, "sessionId": "s-" + room,
			"participantId": name, "participantName": name})
		answered := postAt(b, s.URL, body)
		deadline := time.After(20 * time.Second)
		for j, c := range clients {
			select {
			case at := <-c.got:
				lat = append(lat, epochMS(at)-epochMS(answered))
			case <-deadline:
				b.Fatalf("client %d of %d: no message with %q within 20s", j, n, name)
			}
		}
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}
