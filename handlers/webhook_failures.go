package handlers

import (
	"sync"
	"time"
)

// maxFailureAddrs bounds how many addresses failureLimit tracks in one
// window; addresses past it go uncounted until the next window.
const maxFailureAddrs = 100_000

// failureLimit counts, per source address, the webhook deliveries that
// failed verification or decoding, in fixed one-minute windows. A
// provider's traffic comes from a few addresses and every refusal counts
// against the webhook (Daily disables one after a few), so deliveries that
// verify are never limited, however many arrive: only failures are. Past
// perMinute failures in a window, an address's further failures are
// answered 429 with Retry-After, telling a misconfigured or hostile sender
// to back off, and are logged once per window instead of once each.
type failureLimit struct {
	perMinute int // 0: no limit

	mu     sync.Mutex
	window time.Time
	counts map[string]int
}

func newFailureLimit(perMinute int) *failureLimit {
	return &failureLimit{perMinute: perMinute, counts: map[string]int{}}
}

// fail counts a failure from addr at now and reports whether addr is over
// the limit (then retry is when its window ends) and whether this failure
// is the first one over it.
func (l *failureLimit) fail(addr string, now time.Time) (over, first bool, retry time.Time) {
	if l.perMinute <= 0 {
		return false, false, time.Time{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := now.Truncate(time.Minute); !w.Equal(l.window) {
		l.window, l.counts = w, map[string]int{}
	}
	n, tracked := l.counts[addr]
	if !tracked && len(l.counts) >= maxFailureAddrs {
		return false, false, time.Time{}
	}
	n++
	l.counts[addr] = n
	return n > l.perMinute, n == l.perMinute+1, l.window.Add(time.Minute)
}
