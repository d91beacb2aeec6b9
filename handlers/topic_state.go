package handlers

import (
	"bytes"
	"context"
	"html"
	"slices"
	"sync"
	"time"

	"github.com/meetboard/meetboard/views"
)

// topicState is what a topic's subscribers were sent, what was last
// rendered for it, and the changes its budget holds back. Its lock orders
// renders, publishes and new subscriptions of the topic.
type topicState struct {
	mu sync.Mutex
	// current holds each fragment's newest HTML, in order, for snapshots.
	current map[string][]byte
	order   []string
	// sent is what the subscribers have, by fragment id.
	sent map[string]*sentFragment
	// waiting holds changes the budget held back, by fragment or part id.
	waiting map[string]*waitingChange
	budget  pushBudget
}

// sentFragment is a fragment as its subscribers have it.
type sentFragment struct {
	html   []byte // the whole fragment (fragments without parts)
	shape  string
	set    *views.PartSet
	parts  map[string][]byte    // part id: its HTML
	sentAt map[string]time.Time // part id: when it was last sent alone
}

// waitingChange is a newer HTML of a fragment or part than its subscribers
// have.
type waitingChange struct {
	html  []byte
	since time.Time // when it first differed from what was sent
	frag  string    // its fragment's id
	part  bool
}

// remember records frags as rendered and sent.
func (st *topicState) remember(frags []namedFragment, now time.Time) {
	st.current = make(map[string][]byte, len(frags))
	st.sent = make(map[string]*sentFragment, len(frags))
	st.waiting = map[string]*waitingChange{}
	st.order = st.order[:0]
	for _, fr := range frags {
		st.current[fr.id] = fr.html
		st.order = append(st.order, fr.id)
		st.sent[fr.id] = sentWhole(fr)
	}
}

// sentWhole is a fragment sent whole. Its parts count as not sent on their
// own yet (partGap does not hold them back).
func sentWhole(fr namedFragment) *sentFragment {
	sf := &sentFragment{html: fr.html, shape: fr.shape, set: fr.set}
	if fr.parts != nil {
		sf.html = nil
		sf.parts = make(map[string][]byte, len(fr.parts))
		sf.sentAt = make(map[string]time.Time, len(fr.parts))
		for _, p := range fr.parts {
			sf.parts[p.id] = p.html
		}
	}
	return sf
}

// update takes a new render of the topic. What must go at once (the whole
// of a new or reframed fragment, parts added to or gone from a set) is
// written to msg; changes that replace a fragment or part by id wait in
// st.waiting for flush.
func (st *topicState) update(ctx context.Context, frags []namedFragment, now time.Time, msg *bytes.Buffer) error {
	if st.sent == nil {
		st.sent, st.waiting = map[string]*sentFragment{}, map[string]*waitingChange{}
	}
	current := make(map[string][]byte, len(frags))
	st.order = st.order[:0]
	var err error
	for _, fr := range frags {
		current[fr.id] = fr.html
		st.order = append(st.order, fr.id)
		if bytes.Equal(st.current[fr.id], fr.html) {
			continue // as last rendered: anything it holds back still waits
		}
		if e := st.diff(ctx, fr, now, msg); e != nil {
			err = e
		}
	}
	for id := range st.sent {
		if _, ok := current[id]; !ok {
			st.drop(id)
			delete(st.sent, id)
		}
	}
	st.current = current
	return err
}

// diff compares a fragment's new render with what its subscribers have.
func (st *topicState) diff(ctx context.Context, fr namedFragment, now time.Time, msg *bytes.Buffer) error {
	sf := st.sent[fr.id]
	switch {
	case sf != nil && fr.parts == nil && sf.parts == nil:
		st.hold(fr.id, fr.id, false, sf.html, fr.html, now)
		return nil
	case sf != nil && fr.parts != nil && sf.parts != nil && sf.shape == fr.shape && (fr.set != nil || samePartIDs(sf.parts, fr.parts)):
	default:
		// New, or its frame changed: the whole fragment, at once.
		st.drop(fr.id)
		st.sent[fr.id] = sentWhole(fr)
		st.write(msg, fr.html)
		return nil
	}
	in := make(map[string]bool, len(fr.parts))
	for _, p := range fr.parts {
		in[p.id] = true
		if old, had := sf.parts[p.id]; had {
			st.hold(p.id, fr.id, true, old, p.html, now)
			continue
		}
		// A part new to the set: appended at once.
		delete(st.waiting, p.id)
		sf.parts[p.id], sf.sentAt[p.id] = p.html, now
		set := fr.set
		st.write(msg, []byte("<"+set.Wrap+` hx-swap-oob="beforeend:#`+html.EscapeString(set.Into)+`">`), p.html, []byte("</"+set.Wrap+">"))
	}
	for id := range sf.parts {
		if in[id] {
			continue
		}
		// A part gone from the set: marked at once.
		delete(st.waiting, id)
		delete(sf.parts, id)
		delete(sf.sentAt, id)
		var gone bytes.Buffer
		if err := sf.set.Gone(id).Render(ctx, &gone); err != nil {
			return err
		}
		st.write(msg, gone.Bytes())
	}
	return nil
}

// hold records that id's subscribers have old and the newest render is
// new: it waits for flush unless they are the same.
func (st *topicState) hold(id, frag string, part bool, old, new []byte, now time.Time) {
	if bytes.Equal(old, new) {
		delete(st.waiting, id)
		return
	}
	w := st.waiting[id]
	if w == nil {
		w = &waitingChange{since: now, frag: frag, part: part}
		st.waiting[id] = w
	}
	w.html = new
}

// drop forgets the waiting changes of a fragment and its parts.
func (st *topicState) drop(frag string) {
	for id, w := range st.waiting {
		if w.frag == frag {
			delete(st.waiting, id)
		}
	}
}

// write adds one message line to msg and spends the budget on it.
func (st *topicState) write(msg *bytes.Buffer, chunks ...[]byte) {
	n := 1
	for _, c := range chunks {
		msg.Write(c)
		n += len(c)
	}
	msg.WriteByte('\n')
	st.budget.spend(n)
}

// flush writes to msg the waiting changes the budget allows, those waiting
// longest first; while the board is busy, parts sent less than partGap ago
// wait for the others. It reports whether changes are left, and how long
// until they may go.
func (st *topicState) flush(now time.Time, msg *bytes.Buffer) (time.Duration, bool) {
	if len(st.waiting) == 0 {
		return 0, false
	}
	type item struct {
		id    string
		w     *waitingChange
		ready time.Time // not before, while busy
	}
	items := make([]item, 0, len(st.waiting))
	for id, w := range st.waiting {
		it := item{id: id, w: w}
		if sf := st.sent[w.frag]; w.part && sf != nil {
			it.ready = sf.sentAt[id].Add(partGap)
		}
		items = append(items, it)
	}
	slices.SortFunc(items, func(a, b item) int {
		if c := a.w.since.Compare(b.w.since); c != 0 {
			return c
		}
		return bytes.Compare([]byte(a.id), []byte(b.id))
	})
	var soonest time.Time
	for _, it := range items {
		if st.budget.empty() {
			return max(st.budget.untilRefilled(), minRetry), true
		}
		if st.budget.busy() && it.ready.After(now) {
			if soonest.IsZero() || it.ready.Before(soonest) {
				soonest = it.ready
			}
			continue
		}
		st.write(msg, it.w.html)
		delete(st.waiting, it.id)
		sf := st.sent[it.w.frag]
		if it.w.part {
			sf.parts[it.id], sf.sentAt[it.id] = it.w.html, now
		} else {
			sf.html = it.w.html
		}
	}
	if len(st.waiting) == 0 {
		return 0, false
	}
	return max(soonest.Sub(now), minRetry), true
}

// samePartIDs reports whether parts are the ones sent, whatever their
// order.
func samePartIDs(sent map[string][]byte, parts []namedFragment) bool {
	if len(sent) != len(parts) {
		return false
	}
	for _, p := range parts {
		if _, ok := sent[p.id]; !ok {
			return false
		}
	}
	return true
}
