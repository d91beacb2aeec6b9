package main

import (
	"math/rand/v2"
	"testing"
)

// TestRoomsStayOpen drives the room scheduler on its virtual clock, with
// no network and no waiting: every one of -rooms rooms opens within about
// two webhooks a room, and through several generations of rooms closing
// and new ones opening, about -rooms stay live.
func TestRoomsStayOpen(t *testing.T) {
	for _, n := range []int{6, 300} {
		w := newWorld(rand.New(rand.NewPCG(1, 2)), n, 0.05)
		ramp := 0
		for w.liveRooms() < n {
			if ramp++; ramp > 3*n {
				t.Fatalf("-rooms %d: %d live after %d webhooks; all should be open by now", n, w.liveRooms(), ramp)
			}
			w.next()
		}
		// Some 400 webhooks a room is two or three room lifetimes.
		least, sum, steps := n, 0, 400*n
		for range steps {
			w.next()
			least = min(least, w.liveRooms())
			sum += w.liveRooms()
		}
		mean := float64(sum) / float64(steps)
		if w.closed < 2*n || w.opened != w.closed+w.liveRooms() {
			t.Errorf("-rooms %d: %d rooms opened and %d closed, %d live: the rooms did not turn over", n, w.opened, w.closed, w.liveRooms())
		}
		if mean < 0.95*float64(n) || n >= 100 && least < n*85/100 {
			t.Errorf("-rooms %d: %.1f live on average, %d at the least", n, mean, least)
		}
		t.Logf("-rooms %d: all open after %d webhooks; then %.1f live on average, %d at the least, %d rooms closed", n, ramp, mean, least, w.closed)
	}
}
