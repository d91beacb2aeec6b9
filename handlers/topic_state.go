package handlers

import (
	"bytes"
	"context"
	"html"
	"slices"
	"strings"
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
	// outbox holds what must go as it is, in order: the whole of new or
	// reframed fragments, parts added to and gone from sets.
	outbox bytes.Buffer
	// waiting holds changes that replace a fragment or part by id, by its
	// id; a newer render replaces a waiting one.
	waiting map[string]*waitingChange
	budget  pushBudget
	// lastSent is when the topic's subscribers were last sent a message.
	lastSent time.Time
}

// sentFragment is a fragment as its subscribers have it.
type sentFragment struct {
	html  []byte // the whole fragment (fragments without parts)
	shape string
	set   *views.PartSet
	parts map[string][]byte // part id: its HTML
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
func (st *topicState) remember(frags []namedFragment) {
	st.current = make(map[string][]byte, len(frags))
	st.sent = make(map[string]*sentFragment, len(frags))
	st.waiting = map[string]*waitingChange{}
	st.outbox.Reset()
	st.order = st.order[:0]
	for _, fr := range frags {
		st.current[fr.id] = fr.html
		st.order = append(st.order, fr.id)
		st.sent[fr.id] = sentWhole(fr)
	}
}

// sentWhole is a fragment sent whole.
func sentWhole(fr namedFragment) *sentFragment {
	sf := &sentFragment{html: fr.html, shape: fr.shape, set: fr.set}
	if fr.parts != nil {
		sf.html = nil
		sf.parts = make(map[string][]byte, len(fr.parts))
		for _, p := range fr.parts {
			sf.parts[p.id] = p.html
		}
	}
	return sf
}

// update takes a new render of the topic. What must go as it is (the
// whole of a new or reframed fragment, parts added to or gone from a set)
// is appended to st.outbox; changes that replace a fragment or part by id
// wait in st.waiting. flush sends them.
func (st *topicState) update(ctx context.Context, frags []namedFragment, now time.Time) error {
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
		if e := st.diff(ctx, fr, now); e != nil {
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
func (st *topicState) diff(ctx context.Context, fr namedFragment, now time.Time) error {
	msg := &st.outbox
	sf := st.sent[fr.id]
	switch {
	case sf != nil && fr.parts == nil && sf.parts == nil:
		st.hold(fr.id, fr.id, false, sf.html, fr.html, now)
		return nil
	case sf != nil && fr.parts != nil && sf.parts != nil && sf.shape == fr.shape && (fr.set != nil || samePartIDs(sf.parts, fr.parts)):
	default:
		// New, or its frame changed: the whole fragment.
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
		// A part new to the set: appended.
		delete(st.waiting, p.id)
		sf.parts[p.id] = p.html
		st.write(msg, appendTo(fr.set, p.html)...)
	}
	for id := range sf.parts {
		if in[id] {
			continue
		}
		// A part gone from the set: marked.
		delete(st.waiting, id)
		delete(sf.parts, id)
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

// flush writes to msg what may go now: the outbox, then the waiting
// changes the budget allows, those waiting longest first. While the page
// is busy (see pushBudget), it sends at most one message every
// messageGap. It reports whether changes are left, and how long until
// they may go.
func (st *topicState) flush(now time.Time, msg *bytes.Buffer) (time.Duration, bool) {
	if st.outbox.Len() == 0 && len(st.waiting) == 0 {
		return 0, false
	}
	if next := st.lastSent.Add(messageGap); st.budget.busy() && next.After(now) {
		return max(next.Sub(now), minRetry), true
	}
	msg.Write(st.outbox.Bytes())
	st.outbox.Reset()
	type item struct {
		id string
		w  *waitingChange
	}
	items := make([]item, 0, len(st.waiting))
	for id, w := range st.waiting {
		items = append(items, item{id, w})
	}
	slices.SortFunc(items, func(a, b item) int {
		if c := a.w.since.Compare(b.w.since); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	// The changed parts of a set go together, appended to its holding
	// element like new ones: the page's script puts each in its place, so
	// htmx handles one element for all of them.
	sets := map[string][][]byte{}
	var setOrder []string
	for _, it := range items {
		if st.budget.empty() {
			break
		}
		delete(st.waiting, it.id)
		sf := st.sent[it.w.frag]
		switch {
		case !it.w.part:
			sf.html = it.w.html
			st.write(msg, it.w.html)
		case sf.set != nil:
			sf.parts[it.id] = it.w.html
			if sets[it.w.frag] == nil {
				setOrder = append(setOrder, it.w.frag)
			}
			sets[it.w.frag] = append(sets[it.w.frag], it.w.html)
			st.budget.spend(len(it.w.html)) // written below, spent now to stop in time
		default:
			sf.parts[it.id] = it.w.html
			st.write(msg, it.w.html)
		}
	}
	for _, frag := range setOrder {
		wrapped := appendTo(st.sent[frag].set, sets[frag]...)
		for _, c := range wrapped {
			msg.Write(c)
		}
		msg.WriteByte('\n')
		st.budget.spend(len(wrapped[0]) + len(wrapped[len(wrapped)-1]) + 1)
	}
	if len(st.waiting) == 0 {
		return 0, false
	}
	wait := st.budget.untilRefilled()
	if st.budget.busy() {
		wait = max(wait, messageGap)
	}
	return max(wait, minRetry), true
}

// appendTo wraps parts of a set for the push: htmx appends the wrapper's
// children to the set's holding element (see views.PartSet).
func appendTo(set *views.PartSet, parts ...[]byte) [][]byte {
	out := make([][]byte, 0, len(parts)+2)
	out = append(out, []byte("<"+set.Wrap+` hx-swap-oob="beforeend:#`+html.EscapeString(set.Into)+`">`))
	out = append(out, parts...)
	return append(out, []byte("</"+set.Wrap+">"))
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
