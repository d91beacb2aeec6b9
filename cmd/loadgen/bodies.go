package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"time"
)

// bodiesReport is the outcome of a bodies run.
type bodiesReport struct {
	Opened                      int
	RSSBefore, RSSAfter, RSSEnd int64 // KiB: before, with the connections held, after closing them
	HeapBefore, HeapAfter       float64
	Answered, Refused           int // real webhooks posted meanwhile, answered 2xx or not
}

// runBodies opens -clients connections that each announce a webhook body
// of -announce bytes and send one byte of it, holds them, and reports how
// the dashboard's memory grew, and whether it kept answering real webhooks
// meanwhile. A server that reserves what a request announces grows by the
// announced size per connection; one that reads bodies as they arrive, by
// a few KB.
func runBodies(ctx context.Context, cfg config, out io.Writer) (bodiesReport, error) {
	var r bodiesReport
	limit, err := raiseFDLimit()
	if err != nil {
		fmt.Fprintf(out, "bodies: could not raise RLIMIT_NOFILE: %v\n", err)
	}
	fmt.Fprintf(out, "bodies: RLIMIT_NOFILE %d; dashboard pid %d\n", limit, cfg.PID)
	if err := reachable(cfg.URL, cfg.Timeout); err != nil {
		return r, err
	}
	client := newHTTPClient(1, cfg.Timeout)
	if r.RSSBefore, err = vmRSS(cfg.PID); err != nil {
		return r, fmt.Errorf("-pid %d: %w", cfg.PID, err)
	}
	if m := scrapeMetrics(client, cfg.URL, mHeapInuse); m != nil {
		r.HeapBefore = m[mHeapInuse]
	}
	host := strings.TrimPrefix(strings.TrimPrefix(cfg.URL, "http://"), "https://")
	head := fmt.Sprintf("POST /webhooks/videosdk HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", host, cfg.Announce)
	fmt.Fprintf(out, "bodies: opening %d connections announcing %d bytes and sending 1\n", cfg.Clients, cfg.Announce)
	conns := make([]net.Conn, 0, cfg.Clients)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	deadline := time.Now().Add(cfg.Duration)
	for len(conns) < cfg.Clients && ctx.Err() == nil && time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", host, cfg.Timeout)
		if err != nil {
			fmt.Fprintf(out, "  stopped opening at %d: %v\n", len(conns), err)
			break
		}
		conns = append(conns, c)
		if _, err := io.WriteString(c, head); err != nil {
			fmt.Fprintf(out, "  connection %d: %v\n", len(conns), err)
		}
	}
	r.Opened = len(conns)
	sleep(ctx, cfg.Settle)
	// Real webhooks while the connections are held.
	plan := newPushPlan(rand.New(rand.NewPCG(seedOr(cfg.Seed), 0xb0d1)))
	for i := range 20 {
		status, _, err := post(client, cfg.URL+"/webhooks/videosdk", plan.step(i), false)
		if err == nil && status/100 == 2 {
			r.Answered++
		} else {
			r.Refused++
		}
	}
	if r.RSSAfter, err = vmRSS(cfg.PID); err != nil {
		return r, err
	}
	if m := scrapeMetrics(client, cfg.URL, mHeapInuse); m != nil {
		r.HeapAfter = m[mHeapInuse]
	}
	for _, c := range conns {
		c.Close()
	}
	conns = nil
	sleep(ctx, cfg.Settle)
	r.RSSEnd, _ = vmRSS(cfg.PID)

	perConn := float64(r.RSSAfter-r.RSSBefore) / float64(max(r.Opened, 1))
	fmt.Fprintf(out, "  dashboard VmRSS %d KiB before, %d KiB with %d connections held (%.1f KiB each), %d KiB after closing them; Go heap in use %+.1f MiB\n",
		r.RSSBefore, r.RSSAfter, r.Opened, perConn, r.RSSEnd, (r.HeapAfter-r.HeapBefore)/(1<<20))
	fmt.Fprintf(out, "  real webhooks meanwhile: %d answered 2xx, %d not\n", r.Answered, r.Refused)
	fmt.Fprintf(out, "loadgen mode=bodies url=%s clients=%d opened=%d announce=%d rss_before_kb=%d rss_after_kb=%d rss_closed_kb=%d kb_per_conn=%.1f heap_growth_mib=%.1f webhooks_ok=%d webhooks_failed=%d\n",
		cfg.URL, cfg.Clients, r.Opened, cfg.Announce, r.RSSBefore, r.RSSAfter, r.RSSEnd, perConn, (r.HeapAfter-r.HeapBefore)/(1<<20), r.Answered, r.Refused)
	return r, nil
}
