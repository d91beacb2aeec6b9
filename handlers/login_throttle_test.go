package handlers

import (
	"strconv"
	"testing"
	"time"
)

// TestLoginThrottleSchedule follows one pair with a fixed clock: two free
// failures, then holds of 5 s, 10 s, 20 s... up to 15 minutes, refusals
// that do not extend the hold, and a success that resets it.
func TestLoginThrottleSchedule(t *testing.T) {
	th := newLoginThrottle(throttleCap)
	k := newThrottleKey("203.0.113.7", "ada")
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	allowed := func(step string) {
		t.Helper()
		if until, held := th.attempt(k, now); held {
			t.Fatalf("%s: held until +%s", step, until.Sub(now))
		}
	}
	heldFor := func(step string, want time.Duration) {
		t.Helper()
		until, held := th.attempt(k, now)
		if !held || until.Sub(now) != want {
			t.Fatalf("%s: held %v for %s, want %s", step, held, until.Sub(now), want)
		}
	}
	allowed("failure 1")
	allowed("failure 2")
	allowed("failure 3") // holds for 5 s
	heldFor("at once", 5*time.Second)
	now = now.Add(4 * time.Second)
	heldFor("after 4 s", time.Second) // refusals do not extend the hold
	now = now.Add(time.Second)
	allowed("failure 4 after 5 s") // holds for 10 s
	now = now.Add(9 * time.Second)
	heldFor("9 s later", time.Second)
	for i, want := range []time.Duration{20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second,
		320 * time.Second, 640 * time.Second, 15 * time.Minute, 15 * time.Minute} {
		now = now.Add(15 * time.Minute)
		allowed("failure " + strconv.Itoa(i+5))
		heldFor("after failure "+strconv.Itoa(i+5), want)
	}
	// Other pairs are not held: the same name from another address, another
	// name from the same address.
	for _, other := range []throttleKey{newThrottleKey("198.51.100.9", "ada"), newThrottleKey("203.0.113.7", "bob")} {
		if _, held := th.attempt(other, now); held {
			t.Error("another pair is held off")
		}
	}
	// A success resets the pair.
	now = now.Add(15 * time.Minute)
	allowed("the right password")
	th.succeeded(k)
	allowed("failure 1 after the success")
	allowed("failure 2 after the success")
}

// TestLoginThrottleBounded: a client rotating usernames fills the table up
// to its cap and no further; the oldest pairs go first, and pairs idle for
// throttleForget go by themselves.
func TestLoginThrottleBounded(t *testing.T) {
	const max = 100
	th := newLoginThrottle(max)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	key := func(i int) throttleKey { return newThrottleKey("203.0.113.7", "user"+strconv.Itoa(i)) }
	for i := 0; i < 10*max; i++ {
		for j := 0; j < throttleAfter; j++ {
			th.attempt(key(i), now)
		}
		if n := th.len(); n > max {
			t.Fatalf("after %d names: %d pairs, cap %d", i+1, n, max)
		}
	}
	if n := th.len(); n != max {
		t.Errorf("%d pairs, want the cap %d", n, max)
	}
	if _, held := th.attempt(key(10*max-1), now); !held {
		t.Error("the newest pair was evicted")
	}
	if _, held := th.attempt(key(0), now); held {
		t.Error("the oldest pair was kept beyond the cap")
	}
	now = now.Add(throttleForget)
	th.attempt(newThrottleKey("198.51.100.9", "ada"), now)
	if n := th.len(); n != 1 {
		t.Errorf("after an hour: %d pairs, want only the new one", n)
	}
}

// TestThrottleKey: the address and the username cannot run into each
// other.
func TestThrottleKey(t *testing.T) {
	if newThrottleKey("10.0.0.1", "1ada") == newThrottleKey("10.0.0.11", "ada") {
		t.Error("address and username run together")
	}
}
