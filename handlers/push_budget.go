package handlers

import "time"

// Every topic, and so every browser (a page watches one topic), has a push
// budget: a bucket of pushBurst bytes that refills at pushRate. A change
// that replaces a fragment or part by id waits while the bucket is empty,
// and a newer render of the same fragment replaces it while it waits, so
// under a stream of webhooks the changes of one room are taken together
// and the page gets at most about pushRate bytes a second. Parts added to
// or gone from a set, and fragments whose frame changed, go out at once:
// they spend the budget all the same, so the updates behind them wait.
//
// While the bucket is below half full the board counts as busy, and a part
// sent less than partGap ago waits for the others before it goes again: a
// room's card or row then changes at most four times a second. A page
// within its budget gets every change at once.
const (
	pushRate  = 64 << 10 // bytes a second
	pushBurst = 64 << 10 // bytes
	partGap   = 250 * time.Millisecond
	// minRetry is the shortest wait before held-back changes are looked at
	// again.
	minRetry = 10 * time.Millisecond
)

// pushBudget is one topic's bucket of bytes.
type pushBudget struct {
	tokens float64
	at     time.Time
}

// refill adds what the bucket gained since it was last refilled; a new
// bucket starts full.
func (b *pushBudget) refill(now time.Time) {
	if b.at.IsZero() {
		b.tokens = pushBurst
	} else if d := now.Sub(b.at); d > 0 {
		b.tokens = min(pushBurst, b.tokens+d.Seconds()*pushRate)
	}
	b.at = now
}

// spend takes n bytes from the bucket; it may go below zero.
func (b *pushBudget) spend(n int) { b.tokens -= float64(n) }

// empty reports whether changes must wait.
func (b *pushBudget) empty() bool { return b.tokens <= 0 }

// busy reports whether the bucket is below half full.
func (b *pushBudget) busy() bool { return b.tokens < pushBurst/2 }

// untilRefilled is how long until the bucket holds something again.
func (b *pushBudget) untilRefilled() time.Duration {
	if b.tokens > 0 {
		return 0
	}
	return time.Duration(-b.tokens/pushRate*float64(time.Second)) + time.Millisecond
}
