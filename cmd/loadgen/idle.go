package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// idleReport is the outcome of an idle run.
type idleReport struct {
	Connected                   int
	RSSBefore, RSSAfter, RSSEnd int64 // KiB: before connecting, connected and settled, closed and settled
	KBPerClient                 float64
	HeapPerClient               float64 // KiB of Go heap in use per client, from /metrics (-1: unknown)
	GoroutinesPerClient         float64 // from /metrics (-1: unknown)
	ServerSeen                  float64 // meetboard_websocket_clients once connected (-1: unknown)
	SelfKBPerClient             float64 // this process's RSS per client (the client side)
}

const (
	mClients    = "meetboard_websocket_clients"
	mGoroutines = "go_goroutines"
	mHeapInuse  = "go_memstats_heap_inuse_bytes"
)

// runIdle opens idle websocket clients to the live-rooms page and reports
// how much the dashboard's resident memory grew per client.
func runIdle(ctx context.Context, cfg config, out io.Writer) (idleReport, error) {
	r := idleReport{HeapPerClient: -1, GoroutinesPerClient: -1, ServerSeen: -1}
	limit, err := raiseFDLimit()
	if err != nil {
		fmt.Fprintf(out, "idle: could not raise RLIMIT_NOFILE: %v\n", err)
	}
	fmt.Fprintf(out, "idle: RLIMIT_NOFILE %d; dashboard pid %d\n", limit, cfg.PID)
	if err := reachable(cfg.URL, cfg.Timeout); err != nil {
		return r, err
	}
	http := newHTTPClient(1, cfg.Timeout)
	if r.RSSBefore, err = vmRSS(cfg.PID); err != nil {
		return r, fmt.Errorf("-pid %d: %w", cfg.PID, err)
	}
	mBefore := scrapeMetrics(http, cfg.URL, mClients, mGoroutines, mHeapInuse)
	selfBefore, _ := procStatusKB("/proc/self/status", "VmRSS:")

	fmt.Fprintf(out, "idle: connecting %d clients to %s/live?topic=rooms\n", cfg.Clients, cfg.URL)
	d := dialClients(ctx, cfg, cfg.URL, nil)
	defer closeAll(d.clients)
	r.Connected = len(d.clients)
	fmt.Fprintf(out, "  connected %d of %d in %.1fs (failed: %s), snapshot %d bytes\n",
		r.Connected, cfg.Clients, d.took.Seconds(), fmtCounts(d.failed), d.snapshot)
	if r.Connected == 0 {
		return r, errors.New("no client connected")
	}
	// Keep reading, so the server's keepalive pings are answered.
	rctx, stopReaders := context.WithCancel(context.Background())
	defer stopReaders()
	for _, c := range d.clients {
		go func(c *liveClient) {
			for {
				if _, _, err := c.conn.Read(rctx); err != nil {
					return
				}
			}
		}(c)
	}
	sleep(ctx, cfg.Settle)
	if r.RSSAfter, err = vmRSS(cfg.PID); err != nil {
		return r, err
	}
	mAfter := scrapeMetrics(http, cfg.URL, mClients, mGoroutines, mHeapInuse)
	selfAfter, _ := procStatusKB("/proc/self/status", "VmRSS:")
	n := float64(r.Connected)
	r.KBPerClient = float64(r.RSSAfter-r.RSSBefore) / n
	r.SelfKBPerClient = float64(selfAfter-selfBefore) / n
	if mBefore != nil && mAfter != nil {
		r.ServerSeen = mAfter[mClients]
		r.HeapPerClient = (mAfter[mHeapInuse] - mBefore[mHeapInuse]) / 1024 / n
		r.GoroutinesPerClient = (mAfter[mGoroutines] - mBefore[mGoroutines]) / n
	}

	stopReaders()
	closeAll(d.clients)
	sleep(ctx, cfg.Settle)
	r.RSSEnd, _ = vmRSS(cfg.PID)

	fmt.Fprintf(out, "  dashboard VmRSS %d KiB before, %d KiB with %d idle clients (after %v), %d KiB %v after closing them\n",
		r.RSSBefore, r.RSSAfter, r.Connected, cfg.Settle, r.RSSEnd, cfg.Settle)
	fmt.Fprintf(out, "  per idle client: %.1f KiB RSS", r.KBPerClient)
	if r.HeapPerClient >= 0 {
		fmt.Fprintf(out, ", %.1f KiB Go heap in use, %.2f goroutines (server counts %.0f sockets)", r.HeapPerClient, r.GoroutinesPerClient, r.ServerSeen)
	}
	fmt.Fprintf(out, "; loadgen's own RSS %.1f KiB per client\n", r.SelfKBPerClient)
	if r.Connected < 500 {
		fmt.Fprintln(out, "  (with few clients, garbage collection and allocator noise outweigh what the clients cost: use 1000 or more)")
	}
	fmt.Fprintf(out, "loadgen mode=idle url=%s clients=%d connected=%d rss_before_kb=%d rss_after_kb=%d rss_closed_kb=%d kb_per_client=%.1f heap_kb_per_client=%.1f goroutines_per_client=%.2f\n",
		cfg.URL, cfg.Clients, r.Connected, r.RSSBefore, r.RSSAfter, r.RSSEnd, r.KBPerClient, r.HeapPerClient, r.GoroutinesPerClient)
	return r, nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
