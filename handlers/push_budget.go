package handlers

import "time"

// Every topic, and so every browser (a page watches one topic), has a push
// budget: a bucket of a second's worth of bytes that refills at the
// budget's rate (Config.PushBudget, DefaultPushBudget a second). A change
// that replaces a fragment or part by id waits while the bucket is empty,
// and a newer render of the same fragment replaces it while it waits, so
// under a stream of webhooks the changes of one room are taken together
// and the page gets at most about the budget a second. Parts added to or
// gone from a set, and fragments whose frame changed, are never dropped
// for a newer render: they spend the budget all the same, so the updates
// behind them wait.
//
// While the bucket is below half full the page counts as busy, and it is
// sent at most one message every messageGap, with everything that may go
// by then: each message costs the browser a frame and a pass over its
// swaps, and a room's card or row changes at most four times a second. A
// page within its budget gets every change at once.
const (
	messageGap = 250 * time.Millisecond
	// minRetry is the shortest wait before held-back changes are looked at
	// again.
	minRetry = 10 * time.Millisecond
)

// DefaultPushBudget is the bytes a second each page is pushed at most,
// unless Config.PushBudget says otherwise.
const DefaultPushBudget = 64 << 10

// pushBudget is one topic's bucket of bytes. A rate of zero or less is no
// budget: nothing waits.
type pushBudget struct {
	rate   float64 // bytes a second, and the bucket's size
	tokens float64
	at     time.Time
}

// refill adds what the bucket gained since it was last refilled; a new
// bucket starts full.
func (b *pushBudget) refill(now time.Time) {
	if b.at.IsZero() {
		b.tokens = b.rate
	} else if d := now.Sub(b.at); d > 0 {
		b.tokens = min(b.rate, b.tokens+d.Seconds()*b.rate)
	}
	b.at = now
}

// spend takes n bytes from the bucket; it may go below zero.
func (b *pushBudget) spend(n int) { b.tokens -= float64(n) }

// empty reports whether changes must wait.
func (b *pushBudget) empty() bool { return b.rate > 0 && b.tokens <= 0 }

// busy reports whether the bucket is below half full.
func (b *pushBudget) busy() bool { return b.rate > 0 && b.tokens < b.rate/2 }

// untilRefilled is how long until the bucket holds something again.
func (b *pushBudget) untilRefilled() time.Duration {
	if !b.empty() {
		return 0
	}
	return time.Duration(-b.tokens/b.rate*float64(time.Second)) + time.Millisecond
}
