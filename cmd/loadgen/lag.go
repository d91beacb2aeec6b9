package main

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Projector lag gauges on the dashboard's /metrics.
const (
	mLagEvents  = "meetboard_projector_lag_events"
	mLagSeconds = "meetboard_projector_lag_seconds"
)

// lagReport is how far the dashboard's models fell behind its event log
// during a run, and how long they took to catch up after it.
type lagReport struct {
	Known     bool          // the gauges could be read
	MaxAge    time.Duration // the oldest not-yet-applied delivery's wait, at its worst
	MaxEvents float64       // deliveries not yet applied, at the worst
	CatchUp   time.Duration // from the end of the load until none was left (-1: not within -drain)
}

// lagWatch samples the projector's lag every 250 ms until stopped.
type lagWatch struct {
	client *http.Client
	base   string
	stop   chan struct{}
	done   chan struct{}

	mu sync.Mutex
	r  lagReport
}

func watchLag(base string, timeout time.Duration) *lagWatch {
	w := &lagWatch{client: newHTTPClient(1, timeout), base: base, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			w.sample()
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// sample reads the gauges once and reports the events left (-1 unknown).
func (w *lagWatch) sample() float64 {
	m := scrapeMetrics(w.client, w.base, mLagEvents, mLagSeconds)
	events, ok := m[mLagEvents]
	if m == nil || !ok {
		return -1
	}
	age := time.Duration(m[mLagSeconds] * float64(time.Second))
	w.mu.Lock()
	defer w.mu.Unlock()
	w.r.Known = true
	w.r.MaxAge = max(w.r.MaxAge, age)
	w.r.MaxEvents = max(w.r.MaxEvents, events)
	return events
}

// finish stops sampling once the load has ended and waits, up to drain,
// for the models to catch up.
func (w *lagWatch) finish(ctx context.Context, drain time.Duration) lagReport {
	close(w.stop)
	<-w.done
	start := time.Now()
	catchUp := time.Duration(-1)
	for time.Since(start) <= drain && ctx.Err() == nil {
		if left := w.sample(); left == 0 {
			catchUp = time.Since(start)
			break
		} else if left < 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.r.CatchUp = catchUp
	return w.r
}
