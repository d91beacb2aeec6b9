package handlers

import (
	"context"
	"sync"
	"time"

	"github.com/meetboard/meetboard/models"
)

// fleetCountsFor is how long a reading of the board's counters is reused:
// every watched view of the board renders them at each pass.
const fleetCountsFor = 2 * time.Second

// fleetCountsCache is the board's counters, read at most every
// fleetCountsFor.
type fleetCountsCache struct {
	mu     sync.Mutex
	counts models.FleetCounts
	read   time.Time
	// recheck is set once a render was given counts that may be stale:
	// the board is rendered again when they expire.
	recheck bool
}

// fleetCounts are the board's counters, as last read when the database
// cannot be read now. Counts reused from the cache may miss a change made
// since: the live board is rendered again when they expire, so a quiet
// board does not keep them.
func (h *Handler) fleetCounts(ctx context.Context) models.FleetCounts {
	c := &h.countsState
	c.mu.Lock()
	defer c.mu.Unlock()
	if age := time.Since(c.read); age < fleetCountsFor {
		if !c.recheck {
			c.recheck = true
			time.AfterFunc(fleetCountsFor-age, func() { h.feed.rerender(pageRooms) })
		}
		return c.counts
	}
	c.recheck = false
	counts, err := h.cfg.Store.FleetCounts(ctx)
	if err != nil {
		h.log.Warn("fleet counters unavailable", "err", err)
		return c.counts
	}
	c.counts, c.read = counts, time.Now()
	return counts
}
