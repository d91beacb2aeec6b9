package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/meetboard/meetboard/live"
	"github.com/meetboard/meetboard/views"
)

// refreshEvery re-renders every watched page now and then even without
// changes, so time-based state (a silent session turning stale) shows.
const refreshEvery = 30 * time.Second

// A pass for changes is followed by a gap before the next one, passCostX
// times what the pass cost: its own time plus fanoutCost for each message
// it queued for a socket (the CPU a write takes, measured on a 2-core
// machine), and at most maxPassGap. Under a stream of webhooks the changes
// of each gap are taken together, so the push keeps to about a fifth of
// the machine: with one browser open a page still updates within
// milliseconds, with a thousand every maxPassGap, whatever the rate of
// webhooks. A change after a quiet spell is pushed at once.
const (
	fanoutCost = 20 * time.Microsecond
	passCostX  = 4
	maxPassGap = 100 * time.Millisecond
)

// feed pushes changed fragments to the pages that show them. After each
// commit it re-renders, once per topic, every watched page the commit can
// affect, and sends only the fragments whose HTML changed, within each
// topic's push budget (see pushBudget).
type feed struct {
	load func(context.Context, topic) ([]namedFragment, error)
	hub  *live.Hub
	log  *slog.Logger
	wake chan struct{}
	now  func() time.Time
	// budget is each topic's push budget in bytes a second (see
	// pushBudget).
	budget int

	mu       sync.Mutex
	meetings map[string]bool // changed since the last pass
	others   bool            // events of no meeting, or refusals, arrived
	joined   map[string]bool // topics subscribed to since the last pass
	retry    map[string]time.Time
	states   map[string]*topicState
}

// namedFragment is a rendered fragment, with its rendered parts (see
// views.Fragment).
type namedFragment struct {
	id    string
	html  []byte
	shape string
	parts []namedFragment
	set   *views.PartSet
}

func newFeed(hub *live.Hub, load func(context.Context, topic) ([]namedFragment, error), budget int, log *slog.Logger) *feed {
	return &feed{load: load, hub: hub, log: log, wake: make(chan struct{}, 1), now: time.Now, budget: budget,
		meetings: map[string]bool{}, joined: map[string]bool{}, retry: map[string]time.Time{}, states: map[string]*topicState{}}
}

// changed records which meetings a commit changed (and whether events of
// no meeting arrived) and wakes the feed. It never blocks.
func (f *feed) changed(meetings []string, others bool) {
	f.mu.Lock()
	for _, m := range meetings {
		f.meetings[m] = true
	}
	f.others = f.others || others
	f.mu.Unlock()
	f.poke()
}

// rerender has every watched topic of a kind rendered again at the next
// pass, as if newly subscribed to.
func (f *feed) rerender(kind string) {
	f.mu.Lock()
	for _, name := range f.hub.Topics() {
		if k, _, _ := strings.Cut(name, "?"); k == kind {
			f.joined[name] = true
		}
	}
	f.mu.Unlock()
	f.poke()
}

func (f *feed) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// run pushes changes until ctx ends. Changes that arrive while a pass runs
// are taken together by the next pass; changes a topic's budget held back
// go out when it allows, without rendering the topic again.
func (f *feed) run(ctx context.Context) {
	tick := time.NewTicker(refreshEvery)
	defer tick.Stop()
	chartTick := time.NewTicker(chartsEvery)
	defer chartTick.Stop()
	var next time.Time // the earliest start of the next pass
	for {
		all, charts := false, false
		var retry <-chan time.Time
		if at, ok := f.nextRetry(); ok {
			retry = time.After(time.Until(at))
		}
		select {
		case <-ctx.Done():
			return
		case <-f.wake:
		case <-retry:
		case <-tick.C:
			all = true
		case <-chartTick.C:
			charts = true
		}
		if wait := time.Until(next); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		start := time.Now()
		f.mu.Lock()
		meetings, others, joined := f.meetings, f.others, f.joined
		f.meetings, f.others, f.joined = map[string]bool{}, false, map[string]bool{}
		due := map[string]bool{}
		for name, at := range f.retry {
			if !at.After(start) {
				due[name] = true
				delete(f.retry, name)
			}
		}
		f.mu.Unlock()
		watched := map[string]bool{}
		queued := 0
		for _, name := range f.hub.Topics() {
			watched[name] = true
			t, err := parseTopic(name)
			switch {
			case err != nil:
			case all || joined[name] || t.affectedBy(meetings, others) || charts && t.showsCharts():
				queued += f.refresh(ctx, name, t)
			case due[name]:
				queued += f.flush(name)
			}
		}
		f.forget(watched)
		if len(meetings) > 0 || others {
			// Only passes for changes hold back the next one: a refresh or a
			// new subscriber does not delay a webhook that follows it.
			cost := time.Since(start) + time.Duration(queued)*fanoutCost
			next = start.Add(min(passCostX*cost, maxPassGap))
		}
	}
}

// nextRetry is when the earliest topic with changes held back may send
// them.
func (f *feed) nextRetry() (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var first time.Time
	for _, at := range f.retry {
		if first.IsZero() || at.Before(first) {
			first = at
		}
	}
	return first, !first.IsZero()
}

// refresh renders a topic and publishes what changed, as far as its budget
// allows. It returns how many sockets a message was queued for.
func (f *feed) refresh(ctx context.Context, name string, t topic) int {
	st := f.state(name)
	st.mu.Lock()
	defer st.mu.Unlock()
	frags, err := f.load(ctx, t)
	if err != nil {
		f.log.Warn("live render failed", "topic", name, "err", err)
		return 0
	}
	now := f.now()
	st.budget.refill(now)
	if err := st.update(ctx, frags, now); err != nil {
		f.log.Warn("live render failed", "topic", name, "err", err)
	}
	return f.send(name, st, now)
}

// flush publishes the changes a topic's budget held back, as far as it now
// allows.
func (f *feed) flush(name string) int {
	f.mu.Lock()
	st := f.states[name]
	f.mu.Unlock()
	if st == nil {
		return 0
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	now := f.now()
	st.budget.refill(now)
	return f.send(name, st, now)
}

// send publishes what the topic's budget allows, and schedules the topic
// again while changes are left. st.mu is held.
func (f *feed) send(name string, st *topicState, now time.Time) int {
	var msg bytes.Buffer
	if wait, left := st.flush(now, &msg); left {
		f.mu.Lock()
		if at, ok := f.retry[name]; !ok || now.Add(wait).Before(at) {
			f.retry[name] = now.Add(wait)
		}
		f.mu.Unlock()
	}
	if msg.Len() == 0 {
		return 0
	}
	st.lastSent = now
	return f.hub.Publish(name, msg.Bytes())
}

// subscribe registers a new subscriber of a topic whose first message is
// everything the page shows as last rendered. Changes its other
// subscribers have not been sent yet (held back by the budget) are in it,
// and reach it again later as the same fragments: each replaces itself.
func (f *feed) subscribe(ctx context.Context, name string, t topic) (*live.Subscriber, error) {
	st := f.state(name)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.current == nil {
		frags, err := f.load(ctx, t)
		if err != nil {
			return nil, err
		}
		st.remember(frags)
	}
	var snap bytes.Buffer
	for _, id := range st.order {
		snap.Write(st.current[id])
		snap.WriteByte('\n')
	}
	sub := f.hub.Subscribe(name, snap.Bytes())
	// A commit that landed while the snapshot rendered may have been
	// passed over for this topic: look again once.
	f.mu.Lock()
	f.joined[name] = true
	f.mu.Unlock()
	f.poke()
	return sub, nil
}

func (f *feed) state(name string) *topicState {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.states[name]
	if st == nil {
		st = &topicState{budget: pushBudget{rate: float64(f.budget)}}
		f.states[name] = st
	}
	return st
}

// forget drops what was sent to topics nobody watches any more. A topic
// being subscribed to right now holds its state's lock and is kept.
func (f *feed) forget(watched map[string]bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for name, st := range f.states {
		if watched[name] || !st.mu.TryLock() {
			continue
		}
		if !f.hub.Watched(name) {
			delete(f.states, name)
			delete(f.retry, name)
		}
		st.mu.Unlock()
	}
}

// renderTopic loads a topic and renders its fragments.
func (h *Handler) renderTopic(ctx context.Context, t topic) ([]namedFragment, error) {
	_, frags, err := h.load(ctx, t)
	if err != nil {
		return nil, err
	}
	return renderFragments(ctx, frags)
}

// renderFragments renders fragments and their parts.
func renderFragments(ctx context.Context, frags []views.Fragment) ([]namedFragment, error) {
	out := make([]namedFragment, len(frags))
	for i, fr := range frags {
		html, err := fr.Render(ctx)
		if err != nil {
			return nil, err
		}
		out[i] = namedFragment{id: fr.ID, html: html, shape: fr.Shape, set: fr.Set}
		if fr.Parts != nil {
			if out[i].parts, err = renderFragments(ctx, fr.Parts); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
