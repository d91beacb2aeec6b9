// Package live fans out pushed messages to websocket subscribers by topic.
// It knows bytes and topic names only; rendering happens elsewhere.
package live

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Options tunes a Hub. Zero values take the defaults.
type Options struct {
	Buffer       int           // messages queued per subscriber before it counts as slow (default 16)
	WriteTimeout time.Duration // per websocket write (default 5s)
	PingInterval time.Duration // keepalive pings on idle sockets (default 30s)
}

func (o Options) withDefaults() Options {
	if o.Buffer <= 0 {
		o.Buffer = 16
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 5 * time.Second
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 30 * time.Second
	}
	return o
}

// Stats is a snapshot of a Hub's counters.
type Stats struct {
	Subscribers int    // subscribers currently registered
	Topics      int    // topics with at least one subscriber
	Sent        uint64 // messages written to websockets by Serve, snapshots included
	Dropped     uint64 // subscribers dropped because their buffer was full
}

// Hub routes published messages to the subscribers of a topic.
// Lock order: Hub.mu, then topic.mu.
type Hub struct {
	opts Options

	mu     sync.RWMutex
	topics map[string]*topic // guarded by mu
	closed bool              // guarded by mu

	subscribers   atomic.Int64
	sent, dropped atomic.Uint64
}

// topic holds one topic's subscribers. Its mutex also puts concurrent
// publishes to the topic in the same order for every subscriber.
type topic struct {
	mu   sync.Mutex
	subs map[*Subscriber]struct{} // guarded by mu
}

// Subscriber is one registration on a topic, normally one websocket.
// Pass it to Hub.Serve.
type Subscriber struct {
	topic string
	msgs  chan []byte

	once   sync.Once
	done   chan struct{}        // closed when the subscription ends
	status websocket.StatusCode // close status for the socket, set before done closes
}

// end finishes the subscription with the given close status; only the first call counts.
func (s *Subscriber) end(status websocket.StatusCode) {
	s.once.Do(func() {
		s.status = status
		close(s.done)
	})
}

// NewHub returns a Hub with opts applied over the defaults.
func NewHub(opts Options) *Hub {
	return &Hub{opts: opts.withDefaults(), topics: make(map[string]*topic)}
}

// Subscribe registers a subscriber to topic and queues first (the page snapshot) as its first message,
// atomically with respect to Publish: every message published after Subscribe returns comes after first.
// The hub keeps its own copy of the topic name (names taken from a Fiber or fasthttp request point into reused memory).
func (h *Hub) Subscribe(name string, first []byte) *Subscriber {
	name = strings.Clone(name)
	s := &Subscriber{topic: name, msgs: make(chan []byte, h.opts.Buffer), done: make(chan struct{})}
	s.msgs <- first // the channel is new and Buffer >= 1, so this cannot block

	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.end(websocket.StatusServiceRestart)
		return s
	}
	t := h.topics[name]
	if t == nil {
		t = &topic{subs: make(map[*Subscriber]struct{})}
		h.topics[name] = t
	}
	t.mu.Lock()
	t.subs[s] = struct{}{}
	t.mu.Unlock()
	h.subscribers.Add(1)
	return s
}

// Unsubscribe removes s from its topic and ends it with status 1000 unless it has already ended.
// It is safe to call more than once, and after s was dropped.
func (h *Hub) Unsubscribe(s *Subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s.end(websocket.StatusNormalClosure)
	t := h.topics[s.topic]
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.subs[s]; ok {
		delete(t.subs, s)
		h.subscribers.Add(-1)
	}
	if len(t.subs) == 0 {
		delete(h.topics, s.topic)
	}
}

// Publish queues msg for every subscriber of topic. It never blocks: a subscriber whose buffer is full
// is dropped and its socket closed with status 1013 (try again later), so the browser reconnects and gets a fresh snapshot.
// Every subscriber gets the same slice: callers must not modify msg after Publish.
// It returns how many subscribers msg was queued for.
func (h *Hub) Publish(name string, msg []byte) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	t := h.topics[name]
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	queued := 0
	for s := range t.subs {
		select {
		case s.msgs <- msg:
			queued++
		default:
			delete(t.subs, s)
			h.subscribers.Add(-1)
			h.dropped.Add(1)
			s.end(websocket.StatusTryAgainLater)
		}
	}
	// An emptied topic stays in the map until its subscribers are
	// unsubscribed (Serve always does); Topics skips it meanwhile.
	return queued
}

// Topics lists the topics that have at least one subscriber, sorted.
func (h *Hub) Topics() []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var names []string
	for name, t := range h.topics {
		t.mu.Lock()
		if len(t.subs) > 0 {
			names = append(names, name)
		}
		t.mu.Unlock()
	}
	sort.Strings(names)
	return names
}

// Watched reports whether topic has at least one subscriber.
func (h *Hub) Watched(topic string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	t := h.topics[topic]
	if t == nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.subs) > 0
}

// Stats reports the subscribers and watched topics now, and totals of messages sent and subscribers dropped as slow.
func (h *Hub) Stats() Stats {
	return Stats{
		Subscribers: int(h.subscribers.Load()),
		Topics:      len(h.Topics()),
		Sent:        h.sent.Load(),
		Dropped:     h.dropped.Load(),
	}
}

// Close ends every subscription; their sockets close with status 1012 (service restart). Subscribe after Close returns a subscriber that is already closed.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for name, t := range h.topics {
		t.mu.Lock()
		for s := range t.subs {
			s.end(websocket.StatusServiceRestart)
			h.subscribers.Add(-1)
		}
		t.mu.Unlock()
		delete(h.topics, name)
	}
}
