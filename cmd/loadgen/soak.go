package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// soakSample is one reading of the dashboard during a soak run.
type soakSample struct {
	At         time.Duration
	RSS        int64   // KiB
	Heap       float64 // KiB of Go heap in use (-1: unknown)
	Goroutines float64 // (-1: unknown)
	OK, Failed int64   // webhooks answered 2xx, and not
	Messages   int64   // live messages the clients received
	Clients    int     // clients still connected
}

// soakReport is the outcome of a soak run.
type soakReport struct {
	Samples []soakSample
	// Warm is the first sample after the warm-up; growth and slope are
	// measured from it to the end.
	Warm        soakSample
	End         soakSample
	MaxRSS      int64
	GrowthKB    int64
	SlopeKBPerH float64 // least-squares slope of RSS over the samples after warm-up
}

// runSoak posts the ingest workload at a steady -rate for -duration while
// -clients websocket clients watch the live-rooms page, and reads the
// dashboard's resident memory every -sample: after the warm-up (the first
// sixth of the run) it should not grow.
func runSoak(ctx context.Context, cfg config, out io.Writer) (soakReport, error) {
	var r soakReport
	if _, err := raiseFDLimit(); err != nil {
		fmt.Fprintf(out, "soak: could not raise RLIMIT_NOFILE: %v\n", err)
	}
	if err := reachable(cfg.URL, cfg.Timeout); err != nil {
		return r, err
	}
	fmt.Fprintf(out, "soak: %d webhooks/s for %v with %d live clients, a sample every %v\n", cfg.Rate, cfg.Duration, cfg.Clients, cfg.Sample)
	d := dialClients(ctx, cfg, cfg.URL, nil)
	defer closeAll(d.clients)
	if len(d.clients) == 0 {
		return r, errors.New("no client connected")
	}
	var messages atomic.Int64
	var connected atomic.Int64
	connected.Store(int64(len(d.clients)))
	rctx, stopReaders := context.WithCancel(context.Background())
	defer stopReaders()
	for _, c := range d.clients {
		go func(c *liveClient) {
			defer connected.Add(-1)
			for {
				if _, _, err := c.conn.Read(rctx); err != nil {
					return
				}
				messages.Add(1)
			}
		}(c)
	}

	var ok, failed atomic.Int64
	runCtx, stop := context.WithTimeout(ctx, cfg.Duration)
	defer stop()
	metrics := newHTTPClient(1, cfg.Timeout)
	defer metrics.CloseIdleConnections()
	pace(runCtx, cfg, &ok, &failed, func(at time.Duration) {
		s := soakSample{At: at, Heap: -1, Goroutines: -1, OK: ok.Load(), Failed: failed.Load(),
			Messages: messages.Load(), Clients: int(connected.Load())}
		s.RSS, _ = vmRSS(cfg.PID)
		if m := scrapeMetrics(metrics, cfg.URL, mHeapInuse, mGoroutines); m != nil {
			s.Heap, s.Goroutines = m[mHeapInuse]/1024, m[mGoroutines]
		}
		r.Samples = append(r.Samples, s)
		fmt.Fprintf(out, "  %6.1f min  RSS %7d KiB  heap %8.0f KiB  goroutines %6.0f  webhooks %9d ok %5d failed  messages %10d  clients %d\n",
			at.Minutes(), s.RSS, s.Heap, s.Goroutines, s.OK, s.Failed, s.Messages, s.Clients)
	})
	if len(r.Samples) < 2 {
		return r, errors.New("the run ended before two samples: give a -duration several times -sample")
	}
	warmup := cfg.Duration / 6
	var after []soakSample
	for _, s := range r.Samples {
		if s.At >= warmup {
			after = append(after, s)
		}
		r.MaxRSS = max(r.MaxRSS, s.RSS)
	}
	if len(after) < 2 {
		after = r.Samples
	}
	r.Warm, r.End = after[0], after[len(after)-1]
	r.GrowthKB = r.End.RSS - r.Warm.RSS
	r.SlopeKBPerH = slope(after) * 3600
	rate := float64(r.End.OK) / r.End.At.Seconds()
	fmt.Fprintf(out, "  after the warm-up (%.0f min): RSS %d KiB, at the end %d KiB (%+d KiB), max %d KiB; trend %+.0f KiB/hour; %.0f webhooks/s answered 2xx, %d failed\n",
		r.Warm.At.Minutes(), r.Warm.RSS, r.End.RSS, r.GrowthKB, r.MaxRSS, r.SlopeKBPerH, rate, r.End.Failed)
	fmt.Fprintf(out, "loadgen mode=soak url=%s rate=%d clients=%d duration=%v rss_warm_kb=%d rss_end_kb=%d rss_max_kb=%d growth_kb=%d slope_kb_per_hour=%.0f ok=%d failed=%d messages=%d clients_left=%d\n",
		cfg.URL, cfg.Rate, cfg.Clients, cfg.Duration, r.Warm.RSS, r.End.RSS, r.MaxRSS, r.GrowthKB, r.SlopeKBPerH, r.End.OK, r.End.Failed, r.End.Messages, r.End.Clients)
	return r, nil
}

// pace posts the ingest workload cfg.Rate times a second, spread over
// cfg.Concurrency workers, counting 2xx answers in ok and the rest in
// failed, until ctx ends, and calls sample every cfg.Sample (and once at
// the end). A post that finds every worker busy is skipped, not queued, so
// a slow server sees the load it can take rather than a growing backlog.
func pace(ctx context.Context, cfg config, ok, failed *atomic.Int64, sample func(time.Duration)) {
	l := newLoad(cfg, cfg.URL, 0x50a4)
	defer l.client.CloseIdleConnections()
	tokens := make(chan struct{})
	var wg sync.WaitGroup
	for _, w := range l.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range tokens {
				body, _ := w.next()
				if status, _, err := post(l.client, l.target, body, false); err == nil && status/100 == 2 {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}
		}()
	}
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(cfg.Rate))
	defer tick.Stop()
	samples := time.NewTicker(cfg.Sample)
	defer samples.Stop()
	sample(0)
	for ctx.Err() == nil {
		select {
		case <-tick.C:
			select {
			case tokens <- struct{}{}:
			default:
			}
		case <-samples.C:
			sample(time.Since(start))
		case <-ctx.Done():
		}
	}
	close(tokens)
	wg.Wait()
	sample(time.Since(start))
}

// slope is the least-squares slope of RSS (KiB) against time (seconds).
func slope(s []soakSample) float64 {
	n := float64(len(s))
	var sx, sy, sxx, sxy float64
	for _, p := range s {
		x, y := p.At.Seconds(), float64(p.RSS)
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	den := n*sxx - sx*sx
	if den == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / den
}
