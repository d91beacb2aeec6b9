package handlers

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/meetboard/meetboard/live"
)

// LiveLimits caps what one holder may keep open on the live push: its
// sockets, and the distinct topics (pages) they watch, since every watched
// topic is rendered again at each change. A holder is a signed-in session
// or an API token, and, separately, a source address. Zero means no cap.
type LiveLimits struct {
	SessionSockets, SessionTopics int
	AddrSockets, AddrTopics       int
}

// liveOwnersEvery is how often the live sockets' credentials are checked
// again: a socket signed out elsewhere, expired or whose operator was
// deleted closes within this.
const liveOwnersEvery = 2 * time.Second

// liveOwner is the credential a live socket was let in with. The socket
// lives only as long as it does.
type liveOwner struct {
	session uint   // a signed-in browser's session id, or 0
	token   string // an API token, or "" (kept in memory only, never logged)
	open    bool   // let in because the dashboard had no accounts
	addr    string // the source address
}

// holder is the key the owner's per-session (or per-token) caps count
// under; "" when there is none (open mode).
func (o liveOwner) holder() string {
	switch {
	case o.session != 0:
		return "session:" + strconv.FormatUint(uint64(o.session), 10)
	case o.token != "":
		return "token:" + o.token
	}
	return ""
}

// liveSocket is one live socket's registration.
type liveSocket struct {
	owner liveOwner
	topic string
	sub   *live.Subscriber // set once subscribed
}

// liveSockets registers the open live sockets with their owners, counts
// them against LiveLimits, and closes those whose credential has ended.
type liveSockets struct {
	limits LiveLimits

	mu      sync.Mutex
	sockets map[*liveSocket]struct{}
	counts  map[string]*holderCount // by holder, and by "addr:"+address
}

// holderCount is what one holder has open.
type holderCount struct {
	sockets int
	topics  map[string]int // topic: sockets on it
}

func newLiveSockets(limits LiveLimits) *liveSockets {
	return &liveSockets{limits: limits, sockets: map[*liveSocket]struct{}{}, counts: map[string]*holderCount{}}
}

// admit registers a socket about to open for owner on topic, or says which
// cap it would pass.
func (l *liveSockets) admit(owner liveOwner, topic string) (*liveSocket, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	type check struct {
		key             string
		sockets, topics int
		who             string
	}
	checks := []check{{"addr:" + owner.addr, l.limits.AddrSockets, l.limits.AddrTopics, "address " + owner.addr}}
	if h := owner.holder(); h != "" {
		checks = append(checks, check{h, l.limits.SessionSockets, l.limits.SessionTopics, "session"})
	}
	for _, c := range checks {
		n := l.counts[c.key]
		if n == nil {
			continue
		}
		if c.sockets > 0 && n.sockets >= c.sockets {
			return nil, fmt.Errorf("this %s has %d live connections open, the most allowed; close a tab", c.who, n.sockets)
		}
		if _, watched := n.topics[topic]; c.topics > 0 && !watched && len(n.topics) >= c.topics {
			return nil, fmt.Errorf("this %s watches %d different pages live, the most allowed; close a tab", c.who, len(n.topics))
		}
	}
	for _, c := range checks {
		n := l.counts[c.key]
		if n == nil {
			n = &holderCount{topics: map[string]int{}}
			l.counts[c.key] = n
		}
		n.sockets++
		n.topics[topic]++
	}
	s := &liveSocket{owner: owner, topic: topic}
	l.sockets[s] = struct{}{}
	return s, nil
}

// attach records the subscription a registered socket got.
func (l *liveSockets) attach(s *liveSocket, sub *live.Subscriber) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s.sub = sub
}

// release unregisters a socket that has ended (or never opened).
func (l *liveSockets) release(s *liveSocket) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.sockets[s]; !ok {
		return
	}
	delete(l.sockets, s)
	for _, key := range []string{"addr:" + s.owner.addr, s.owner.holder()} {
		n := l.counts[key]
		if key == "" || n == nil {
			continue
		}
		n.sockets--
		if n.topics[s.topic]--; n.topics[s.topic] == 0 {
			delete(n.topics, s.topic)
		}
		if n.sockets == 0 {
			delete(l.counts, key)
		}
	}
}

// ended lists the subscriptions for which keep reports false.
func (l *liveSockets) ended(keep func(liveOwner) bool) []*live.Subscriber {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*live.Subscriber
	for s := range l.sockets {
		if s.sub != nil && !keep(s.owner) {
			out = append(out, s.sub)
		}
	}
	return out
}

// owners lists the sessions and tokens of the registered sockets.
func (l *liveSockets) owners() (sessions []uint, tokens []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	seenS, seenT := map[uint]bool{}, map[string]bool{}
	for s := range l.sockets {
		switch o := s.owner; {
		case o.session != 0 && !seenS[o.session]:
			seenS[o.session] = true
			sessions = append(sessions, o.session)
		case o.token != "" && !seenT[o.token]:
			seenT[o.token] = true
			tokens = append(tokens, o.token)
		}
	}
	return sessions, tokens
}

// closeLive closes the live sockets keep says no to, with 1000: the page
// stops updating and does not reconnect.
func (h *Handler) closeLive(keep func(liveOwner) bool) {
	for _, sub := range h.sockets.ended(keep) {
		h.hub.Unsubscribe(sub)
	}
}

// watchLiveOwners checks the live sockets' credentials every
// liveOwnersEvery until ctx ends, and closes the sockets whose credential
// has ended: a session signed out (on another instance too), expired or
// whose operator was deleted; a revoked API token; open mode once an
// account exists, or when the last account goes while the server listens
// beyond loopback.
func (h *Handler) watchLiveOwners(ctx context.Context) {
	tick := time.NewTicker(liveOwnersEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := h.checkLiveOwners(ctx); err != nil && ctx.Err() == nil {
			h.log.Warn("checking live sockets' sign-ins failed; will retry", "err", err)
		}
	}
}

// checkLiveOwners is one pass of watchLiveOwners.
func (h *Handler) checkLiveOwners(ctx context.Context) error {
	open, err := h.open(ctx)
	if err != nil {
		return err
	}
	sessions, tokens := h.sockets.owners()
	liveSessions, err := h.cfg.Operators.LiveSessions(ctx, sessions, time.Now().UTC())
	if err != nil {
		return err
	}
	liveTokens, err := h.cfg.Operators.LiveTokens(ctx, tokens)
	if err != nil {
		return err
	}
	h.closeLive(func(o liveOwner) bool {
		switch {
		case o.open:
			return open && h.cfg.Loopback
		case o.session != 0:
			return liveSessions[o.session]
		case o.token != "":
			return o.token == h.cfg.APIToken || liveTokens[o.token]
		}
		return false
	})
	return nil
}
