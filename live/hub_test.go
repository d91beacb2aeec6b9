package live

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// queued drains what is queued for s right now, without waiting.
func queued(s *Subscriber) []string {
	var out []string
	for {
		select {
		case m := <-s.msgs:
			out = append(out, string(m))
		default:
			return out
		}
	}
}

// endStatus reports the close status s ended with, or -1 if it has not ended.
func endStatus(s *Subscriber) websocket.StatusCode {
	select {
	case <-s.done:
		return s.status
	default:
		return -1
	}
}

func TestSnapshotFirstThenPublishesInOrder(t *testing.T) {
	h := NewHub(Options{})
	h.Publish("m1", []byte("before")) // nobody subscribed yet: goes nowhere
	s := h.Subscribe("m1", []byte("snapshot"))
	for i := range 5 {
		h.Publish("m1", []byte(strconv.Itoa(i)))
	}
	want := []string{"snapshot", "0", "1", "2", "3", "4"}
	if got := queued(s); !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestTopicIsolation(t *testing.T) {
	h := NewHub(Options{})
	a := h.Subscribe("a", []byte("snap-a"))
	b := h.Subscribe("b", []byte("snap-b"))
	h.Publish("a", []byte("to-a"))
	h.Publish("b", []byte("to-b"))
	h.Publish("c", []byte("to-c"))
	if got, want := queued(a), []string{"snap-a", "to-a"}; !slices.Equal(got, want) {
		t.Errorf("a got %q, want %q", got, want)
	}
	if got, want := queued(b), []string{"snap-b", "to-b"}; !slices.Equal(got, want) {
		t.Errorf("b got %q, want %q", got, want)
	}
}

func TestTopicsAndStats(t *testing.T) {
	h := NewHub(Options{})
	if got := h.Topics(); len(got) != 0 {
		t.Fatalf("empty hub has topics %q", got)
	}
	x1 := h.Subscribe("x", nil)
	x2 := h.Subscribe("x", nil)
	a := h.Subscribe("a", nil)
	if got, want := h.Topics(), []string{"a", "x"}; !slices.Equal(got, want) {
		t.Fatalf("Topics() = %q, want %q", got, want)
	}
	if got := h.Stats(); got != (Stats{Subscribers: 3, Topics: 2}) {
		t.Fatalf("Stats() = %+v", got)
	}
	h.Unsubscribe(x1)
	if got, want := h.Topics(), []string{"a", "x"}; !slices.Equal(got, want) {
		t.Fatalf("after one of two unsubscribed: Topics() = %q, want %q", got, want)
	}
	h.Unsubscribe(x2)
	h.Unsubscribe(a)
	if got := h.Topics(); len(got) != 0 {
		t.Fatalf("all unsubscribed: Topics() = %q", got)
	}
	if got := h.Stats().Subscribers; got != 0 {
		t.Fatalf("Subscribers = %d after all unsubscribed", got)
	}
}

func TestUnsubscribe(t *testing.T) {
	h := NewHub(Options{})
	s := h.Subscribe("m", []byte("snap"))
	other := h.Subscribe("m", []byte("snap"))
	h.Unsubscribe(s)
	h.Unsubscribe(s) // twice is fine
	h.Publish("m", []byte("after"))
	if got, want := queued(s), []string{"snap"}; !slices.Equal(got, want) {
		t.Errorf("unsubscribed got %q, want only %q", got, want)
	}
	if got := endStatus(s); got != websocket.StatusNormalClosure {
		t.Errorf("unsubscribed ended with %v, want 1000", got)
	}
	if got, want := queued(other), []string{"snap", "after"}; !slices.Equal(got, want) {
		t.Errorf("other got %q, want %q", got, want)
	}
	if got := endStatus(other); got != -1 {
		t.Errorf("other subscriber ended with %v", got)
	}
}

func TestSlowSubscriberIsDropped(t *testing.T) {
	h := NewHub(Options{Buffer: 2})
	slow := h.Subscribe("m", []byte("snap")) // nobody ever drains it
	fast := []*Subscriber{h.Subscribe("m", []byte("snap")), h.Subscribe("m", []byte("snap"))}
	got := make([][]string, len(fast))
	for i, s := range fast {
		got[i] = queued(s)
	}

	published := make(chan struct{})
	go func() {
		defer close(published)
		for i := range 50 {
			h.Publish("m", []byte(strconv.Itoa(i)))
			for j, s := range fast { // the fast ones keep up
				got[j] = append(got[j], queued(s)...)
			}
		}
	}()
	select {
	case <-published:
	case <-time.After(10 * time.Second):
		t.Fatal("Publish blocked on a subscriber nobody reads")
	}

	want := []string{"snap"}
	for i := range 50 {
		want = append(want, strconv.Itoa(i))
	}
	for i := range fast {
		if !slices.Equal(got[i], want) {
			t.Errorf("fast subscriber %d got %q, want %q", i, got[i], want)
		}
	}
	if got := endStatus(slow); got != websocket.StatusTryAgainLater {
		t.Errorf("slow subscriber ended with %v, want 1013", got)
	}
	if got, want := queued(slow), []string{"snap", "0"}; !slices.Equal(got, want) {
		t.Errorf("slow subscriber queue = %q, want %q", got, want)
	}
	if st := h.Stats(); st.Dropped != 1 || st.Subscribers != 2 {
		t.Errorf("Stats() = %+v, want 1 dropped and 2 subscribers", st)
	}
	h.Unsubscribe(slow) // what Serve does; must not count twice
	if st := h.Stats(); st.Subscribers != 2 {
		t.Errorf("Subscribers = %d after unsubscribing the dropped one, want 2", st.Subscribers)
	}
}

func TestClose(t *testing.T) {
	h := NewHub(Options{})
	a := h.Subscribe("a", []byte("snap"))
	b := h.Subscribe("b", []byte("snap"))
	h.Close()
	for _, s := range []*Subscriber{a, b} {
		if got := endStatus(s); got != websocket.StatusServiceRestart {
			t.Errorf("after Close a subscriber ended with %v, want 1012", got)
		}
	}
	late := h.Subscribe("a", []byte("snap"))
	if got := endStatus(late); got != websocket.StatusServiceRestart {
		t.Errorf("Subscribe after Close: ended with %v, want 1012", got)
	}
	h.Publish("a", []byte("x")) // no-op, no panic
	h.Unsubscribe(a)
	if got := h.Topics(); len(got) != 0 {
		t.Errorf("Topics() after Close = %q", got)
	}
	if got := h.Stats().Subscribers; got != 0 {
		t.Errorf("Subscribers after Close = %d", got)
	}
}

// Publishes racing with Subscribe: after the snapshot a subscriber sees an
// unbroken run of the publisher's sequence, with nothing before the snapshot.
func TestSubscribeIsAtomicWithPublish(t *testing.T) {
	const n = 2000
	h := NewHub(Options{Buffer: n + 1})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			h.Publish("m", []byte(strconv.Itoa(i)))
		}
	}()
	var subs []*Subscriber
	for range 20 {
		subs = append(subs, h.Subscribe("m", []byte("snap")))
	}
	<-done
	for _, s := range subs {
		got := queued(s)
		if got[0] != "snap" {
			t.Fatalf("first message %q, want the snapshot", got[0])
		}
		for i := 2; i < len(got); i++ {
			prev, _ := strconv.Atoi(got[i-1])
			cur, _ := strconv.Atoi(got[i])
			if cur != prev+1 {
				t.Fatalf("gap or reorder after snapshot: %q then %q", got[i-1], got[i])
			}
		}
	}
}

// Concurrent publishers on one topic reach every subscriber in the same order.
func TestConcurrentPublishesSameOrderForAll(t *testing.T) {
	const publishers, each = 4, 200
	h := NewHub(Options{Buffer: publishers*each + 1})
	subs := []*Subscriber{h.Subscribe("m", nil), h.Subscribe("m", nil), h.Subscribe("m", nil)}
	var wg sync.WaitGroup
	for p := range publishers {
		wg.Go(func() {
			for i := range each {
				h.Publish("m", fmt.Appendf(nil, "%d-%d", p, i))
				h.Publish(fmt.Sprint("other-", p), []byte("x")) // other topics in parallel
			}
		})
	}
	wg.Go(func() { // topic churn alongside
		for range 100 {
			h.Unsubscribe(h.Subscribe("other-0", nil))
			_ = h.Topics()
			_ = h.Stats()
		}
	})
	wg.Wait()
	first := queued(subs[0])
	if len(first) != publishers*each+1 {
		t.Fatalf("got %d messages, want %d", len(first), publishers*each+1)
	}
	for _, s := range subs[1:] {
		if got := queued(s); !slices.Equal(got, first) {
			t.Fatal("subscribers saw concurrent publishes in different orders")
		}
	}
}
