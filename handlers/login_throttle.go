package handlers

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"time"
)

// Failed sign-ins are throttled per (source address, username) pair, in
// this process's memory, and never per account: the pair's state is the
// same whether or not the username exists, and the owner signing in from
// another address is never held off by a stranger's failures.
//
// From the throttleAfter-th attempt in a row that does not succeed, each
// such attempt holds the pair off: for throttleFirst, then twice as long
// each time, up to throttleMax. Attempts while held off are refused before
// any account is looked up, and neither count nor extend the hold. A
// success resets the pair. A pair with no attempt for throttleForget
// (longer than any hold) is forgotten, and when throttleCap pairs are
// remembered a new one pushes out the one idle longest.
//
// Across usernames an address is bounded by the per-address limit
// (loginLimiter), so filling the table to push a held-off pair out of it
// costs a single address far more time than waiting out the hold.
const (
	throttleAfter  = 3
	throttleFirst  = 5 * time.Second
	throttleMax    = 15 * time.Minute
	throttleForget = time.Hour
	// throttleCap bounds the pairs remembered (about 150 bytes each).
	throttleCap = 10000
)

// throttleKey names a pair by a hash of its address and username, so an
// entry's size does not depend on what a client sends.
type throttleKey [sha256.Size]byte

func newThrottleKey(addr, username string) throttleKey {
	h := sha256.New()
	h.Write([]byte(addr))
	h.Write([]byte{0})
	h.Write([]byte(username))
	var k throttleKey
	h.Sum(k[:0])
	return k
}

// throttleEntry is one pair's run of attempts that did not succeed.
type throttleEntry struct {
	key      throttleKey
	failures int
	last     time.Time // the latest attempt counted
	until    time.Time // held off before this
}

// loginThrottle holds the pairs, at most max of them. Its list orders them
// by their latest counted attempt, oldest first, so the forgotten and, when
// the table is full, the oldest go from the front.
type loginThrottle struct {
	mu    sync.Mutex
	max   int
	byKey map[throttleKey]*list.Element
	order *list.List // of *throttleEntry
}

// newLoginThrottle remembers at most max pairs.
func newLoginThrottle(max int) *loginThrottle {
	return &loginThrottle{max: max, byKey: make(map[throttleKey]*list.Element), order: list.New()}
}

// attempt is called before a pair's sign-in is checked. If the pair is held
// off it returns until when, and the attempt must be refused. Otherwise it
// counts the attempt as a failure straight away (so that concurrent
// attempts cannot all slip in before the first one fails), and a success
// must call succeeded.
func (t *loginThrottle) attempt(k throttleKey, now time.Time) (heldUntil time.Time, held bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.forget(now)
	var e *throttleEntry
	if el, ok := t.byKey[k]; ok {
		e = el.Value.(*throttleEntry)
		if now.Before(e.until) {
			return e.until, true
		}
		t.order.MoveToBack(el)
	} else {
		for t.order.Len() >= t.max && t.order.Len() > 0 {
			t.remove(t.order.Front())
		}
		e = &throttleEntry{key: k}
		t.byKey[k] = t.order.PushBack(e)
	}
	e.failures++
	e.last = now
	if e.failures >= throttleAfter {
		e.until = now.Add(min(throttleFirst<<min(e.failures-throttleAfter, 20), throttleMax))
	}
	return time.Time{}, false
}

// succeeded resets a pair after a successful sign-in.
func (t *loginThrottle) succeeded(k throttleKey) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if el, ok := t.byKey[k]; ok {
		t.remove(el)
	}
}

// len is how many pairs are remembered.
func (t *loginThrottle) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.order.Len()
}

// forget drops the pairs with no attempt for throttleForget.
func (t *loginThrottle) forget(now time.Time) {
	for el := t.order.Front(); el != nil; el = t.order.Front() {
		if now.Sub(el.Value.(*throttleEntry).last) < throttleForget {
			return
		}
		t.remove(el)
	}
}

func (t *loginThrottle) remove(el *list.Element) {
	delete(t.byKey, el.Value.(*throttleEntry).key)
	t.order.Remove(el)
}
