package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// liveClient is one websocket subscriber of /live?topic=rooms.
type liveClient struct {
	conn *websocket.Conn
	// arrived[c] is when (since the run's origin, +1ns so 0 means not yet)
	// the first message showing step c or later came in. Written only by
	// the client's reader goroutine, read after it is done.
	arrived []int64
	next    int          // the first step not yet seen
	reached atomic.Int64 // the latest step seen (-1 before step 0)
	ended   chan struct{}
	err     error // why the socket ended, set before ended closes
	stray   int   // messages that showed no step
	msgs    int   // messages after the snapshot
	bytes   int64 // their size
	dropped bool  // ended before the run did
}

// dialResult summarises opening many clients.
type dialResult struct {
	clients  []*liveClient
	failed   map[string]int
	took     time.Duration
	snapshot int // bytes of the first snapshot
}

// dialClients opens n websocket clients to base's /live?topic=rooms, as
// the dashboard's pages do (same Origin), cfg.DialConc at a time, and waits
// for each one's snapshot. first, when set, is given each snapshot and
// decides whether the client is kept.
func dialClients(ctx context.Context, cfg config, base string, first func(msg []byte) error) dialResult {
	ws := "ws" + strings.TrimPrefix(base, "http") + "/live?topic=rooms"
	if cfg.Alias {
		// Each client names the live-rooms page its own way: a parameter
		// the page ignores. A server that makes a topic of each name
		// renders the page once per client at every change.
		ws += url.QueryEscape("?before=")
	}
	res := dialResult{failed: map[string]int{}}
	var mu sync.Mutex
	sem := make(chan struct{}, cfg.DialConc)
	var wg sync.WaitGroup
	start := time.Now()
	slots := make([]*liveClient, cfg.Clients)
	for i := range slots {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			fail := func(kind string) {
				mu.Lock()
				res.failed[kind]++
				mu.Unlock()
			}
			dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			u := ws
			if cfg.Alias {
				u += strconv.Itoa(i + 1)
			}
			conn, resp, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {base}}})
			if err != nil {
				if resp != nil {
					fail(fmt.Sprintf("http-%d", resp.StatusCode))
				} else {
					fail(errKind(err))
				}
				return
			}
			conn.SetReadLimit(16 << 20)
			_, msg, err := conn.Read(dctx)
			if err != nil {
				conn.CloseNow()
				fail("snapshot")
				return
			}
			if first != nil {
				if err := first(msg); err != nil {
					conn.CloseNow()
					fail("snapshot-content")
					return
				}
			}
			mu.Lock()
			if res.snapshot == 0 {
				res.snapshot = len(msg)
			}
			mu.Unlock()
			slots[i] = &liveClient{conn: conn, ended: make(chan struct{})}
		}(i)
	}
	wg.Wait()
	res.took = time.Since(start)
	for _, c := range slots {
		if c != nil {
			res.clients = append(res.clients, c)
		}
	}
	return res
}

func closeAll(clients []*liveClient) {
	for _, c := range clients {
		c.conn.CloseNow()
	}
}

// pushReport is the outcome of a push run.
type pushReport struct {
	Connected          int
	Steps              int // webhooks posted and answered 2xx
	PostP50            time.Duration
	Deliveries         int // (client, step) pairs delivered
	Missing            int // expected but never delivered within -drain
	Dropped            int // clients whose socket ended before the run did
	DropReasons        map[string]int
	P50, P90, P99, Max time.Duration
	Min                time.Duration
	SentP50, SentP99   time.Duration // from the POST being sent, commit included
	MsgBytes           float64       // mean size of a pushed message after the snapshot
	StepSkew           time.Duration // p50 over steps of (last client - first client) arrival
	CPUSelf, CPUServer float64
	CPUOther           float64
	ServerPerWebhook   time.Duration // the server's CPU time over the run, per webhook
	SelfRSSKB          int64
	PostErr            string
}

// runPush measures the time from a webhook's 2xx answer to its change
// arriving at each of many websocket clients of the live-rooms page.
func runPush(ctx context.Context, cfg config, out io.Writer) (pushReport, error) {
	r := pushReport{DropReasons: map[string]int{}}
	limit, err := raiseFDLimit()
	if err != nil {
		fmt.Fprintf(out, "push: could not raise RLIMIT_NOFILE: %v\n", err)
	}
	fmt.Fprintf(out, "push: RLIMIT_NOFILE %d (each client is one descriptor here and one in the dashboard)\n", limit)
	if err := reachable(cfg.URL, cfg.Timeout); err != nil {
		return r, err
	}
	plan := newPushPlan(rand.New(rand.NewPCG(seedOr(cfg.Seed), 0x9054)))
	client := newHTTPClient(1, cfg.Timeout)
	target := cfg.URL + "/webhooks/videosdk"
	if status, _, err := post(client, target, plan.setup(), false); err != nil || status/100 != 2 {
		return r, fmt.Errorf("setup webhook: status %d, %v", status, err)
	}

	steps := cfg.N
	if steps == 0 {
		steps = int(cfg.Duration/cfg.Interval) + 1
	}
	steps = min(steps, int(maxDuration/cfg.Interval)+1)

	fmt.Fprintf(out, "push: connecting %d clients to %s/live?topic=rooms (%d handshakes at a time)\n", cfg.Clients, cfg.URL, cfg.DialConc)
	d := dialClients(ctx, cfg, cfg.URL, func(msg []byte) error {
		if s, ok := plan.stateOf(msg); !ok || s != -1 {
			return errors.New("snapshot does not show the push room: is another run posting to the same meeting?")
		}
		return nil
	})
	defer closeAll(d.clients)
	r.Connected = len(d.clients)
	fmt.Fprintf(out, "  connected %d of %d in %.1fs (failed: %s), snapshot %d bytes\n",
		r.Connected, cfg.Clients, d.took.Seconds(), fmtCounts(d.failed), d.snapshot)
	if r.Connected == 0 {
		return r, errors.New("no client connected")
	}

	origin := time.Now()
	since := func() int64 { return int64(time.Since(origin)) + 1 }
	rctx, stopReaders := context.WithCancel(context.Background())
	defer stopReaders()
	var readers sync.WaitGroup
	for _, c := range d.clients {
		c.arrived = make([]int64, steps)
		c.reached.Store(-1)
		readers.Add(1)
		go func(c *liveClient) {
			defer readers.Done()
			defer close(c.ended)
			for {
				_, msg, err := c.conn.Read(rctx)
				at := since()
				if err != nil {
					c.err = err
					return
				}
				c.msgs, c.bytes = c.msgs+1, c.bytes+int64(len(msg))
				s, ok := plan.stateOf(msg)
				if !ok {
					c.stray++
					continue
				}
				for ; c.next <= s && c.next < steps; c.next++ {
					c.arrived[c.next] = at
				}
				if int64(s) > c.reached.Load() {
					c.reached.Store(int64(s))
				}
			}
		}(c)
	}

	// Post one webhook every interval; a slow answer delays the next.
	fmt.Fprintf(out, "push: %d webhooks, one every %v\n", steps, cfg.Interval)
	answered := make([]int64, 0, steps)
	sent := make([]int64, 0, steps)
	cpu := startCPU(cfg.PID)
	tick := time.NewTicker(cfg.Interval)
	for c := 0; c < steps && ctx.Err() == nil; c++ {
		if c > 0 {
			select {
			case <-tick.C:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
		}
		body := plan.step(c)
		sentAt := since()
		status, _, err := post(client, target, body, false)
		at := since()
		if err != nil || status/100 != 2 {
			// The room is no longer in the state the plan expects: stop.
			r.PostErr = fmt.Sprintf("step %d: status %d %v", c, status, err)
			break
		}
		answered = append(answered, at)
		sent = append(sent, sentAt)
	}
	tick.Stop()
	r.Steps = len(answered)

	// Wait for every client still connected to show the last step.
	last := int64(r.Steps - 1)
	drainUntil := time.Now().Add(cfg.Drain)
clients:
	for _, c := range d.clients {
		for c.reached.Load() < last && time.Now().Before(drainUntil) {
			select {
			case <-c.ended:
				continue clients
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	window := time.Since(cpu.start)
	r.CPUSelf, r.CPUServer, r.CPUOther = cpu.stop()
	if r.Steps > 0 && r.CPUServer >= 0 {
		r.ServerPerWebhook = time.Duration(r.CPUServer * float64(window) / float64(r.Steps))
	}
	r.SelfRSSKB, _ = procStatusKB("/proc/self/status", "VmRSS:")
	// Sockets that ended before now were dropped (by the server, or for
	// any other reason): tell them apart from the ones closed below.
	for _, c := range d.clients {
		select {
		case <-c.ended:
			c.dropped = true
			r.Dropped++
			r.DropReasons[dropReason(c.err)]++
		default:
		}
	}
	stopReaders()
	closeAll(d.clients)
	readers.Wait()

	var lat, fromSent []time.Duration
	var skews []time.Duration
	firstAt := make([]int64, r.Steps)
	lastAt := make([]int64, r.Steps)
	stray, msgs, msgBytes := 0, 0, int64(0)
	for _, c := range d.clients {
		stray += c.stray
		msgs, msgBytes = msgs+c.msgs, msgBytes+c.bytes
		for s := 0; s < r.Steps; s++ {
			a := c.arrived[s]
			if a == 0 {
				if !c.dropped {
					r.Missing++
				}
				continue
			}
			r.Deliveries++
			lat = append(lat, time.Duration(a-answered[s]))
			fromSent = append(fromSent, time.Duration(a-sent[s]))
			if firstAt[s] == 0 || a < firstAt[s] {
				firstAt[s] = a
			}
			lastAt[s] = max(lastAt[s], a)
		}
	}
	for s := 0; s < r.Steps; s++ {
		if firstAt[s] != 0 {
			skews = append(skews, time.Duration(lastAt[s]-firstAt[s]))
		}
	}
	if msgs > 0 {
		r.MsgBytes = float64(msgBytes) / float64(msgs)
	}
	slices.Sort(lat)
	slices.Sort(fromSent)
	slices.Sort(skews)
	postLat := make([]time.Duration, len(answered))
	for i := range answered {
		postLat[i] = time.Duration(answered[i] - sent[i])
	}
	slices.Sort(postLat)
	r.PostP50 = percentile(postLat, 0.5)
	r.StepSkew = percentile(skews, 0.5)
	if len(lat) > 0 {
		r.Min, r.Max = lat[0], lat[len(lat)-1]
	}
	r.P50, r.P90, r.P99 = percentile(lat, 0.5), percentile(lat, 0.9), percentile(lat, 0.99)
	r.SentP50, r.SentP99 = percentile(fromSent, 0.5), percentile(fromSent, 0.99)

	if r.PostErr != "" {
		fmt.Fprintf(out, "  stopped early: %s\n", r.PostErr)
	}
	fmt.Fprintf(out, "  %d webhooks answered (POST p50 %sms); %d deliveries, %d missing after %v, %d messages showing no step; %.0f bytes per pushed message\n",
		r.Steps, fmtMS(r.PostP50), r.Deliveries, r.Missing, cfg.Drain, stray, r.MsgBytes)
	fmt.Fprintf(out, "  2xx -> message latency over all deliveries: p50 %sms p90 %sms p99 %sms max %sms (min %sms); first-to-last client spread per webhook p50 %sms\n",
		fmtMS(r.P50), fmtMS(r.P90), fmtMS(r.P99), fmtMS(r.Max), fmtMS(r.Min), fmtMS(r.StepSkew))
	fmt.Fprintf(out, "  POST sent -> message (commit included): p50 %sms p99 %sms\n", fmtMS(r.SentP50), fmtMS(r.SentP99))
	fmt.Fprintf(out, "  dropped clients %d (%s); cpu (cores, of %d): loadgen %s, server %s (%s ms a webhook), everything else %s; loadgen RSS %d MiB\n",
		r.Dropped, fmtCounts(r.DropReasons), runtime.NumCPU(), fmtCores(r.CPUSelf), fmtCores(r.CPUServer), fmtMS(r.ServerPerWebhook), fmtCores(r.CPUOther), r.SelfRSSKB/1024)
	fmt.Fprintf(out, "loadgen mode=push url=%s clients=%d connected=%d interval=%v webhooks=%d deliveries=%d missing=%d dropped=%d p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s min_ms=%s sent_p50_ms=%s sent_p99_ms=%s spread_p50_ms=%s post_p50_ms=%s msg_bytes=%.0f cpu_loadgen=%s cpu_server=%s cpu_other=%s server_ms_per_webhook=%s alias=%v nofile=%d\n",
		cfg.URL, cfg.Clients, r.Connected, cfg.Interval, r.Steps, r.Deliveries, r.Missing, r.Dropped,
		fmtMS(r.P50), fmtMS(r.P90), fmtMS(r.P99), fmtMS(r.Max), fmtMS(r.Min), fmtMS(r.SentP50), fmtMS(r.SentP99), fmtMS(r.StepSkew), fmtMS(r.PostP50), r.MsgBytes, fmtCores(r.CPUSelf), fmtCores(r.CPUServer), fmtCores(r.CPUOther), fmtMS(r.ServerPerWebhook), cfg.Alias, limit)
	if r.Steps == 0 {
		return r, errors.New("no webhook was answered 2xx")
	}
	return r, nil
}

// dropReason names why a socket ended: its close status, or the error's
// kind.
func dropReason(err error) string {
	if s := websocket.CloseStatus(err); s != -1 {
		return fmt.Sprintf("close-%d", int(s))
	}
	if err == nil {
		return "none"
	}
	return errKind(err)
}
