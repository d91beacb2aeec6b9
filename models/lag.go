package models

import (
	"context"
	"sync"
	"time"
)

// progress lets callers wait for the projector's next commit.
type progress struct {
	mu   sync.Mutex
	next chan struct{} // closed at the next commit
}

func newProgress() progress { return progress{next: make(chan struct{})} }

// advanced returns a channel closed at the projector's next commit.
func (p *progress) advanced() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.next
}

// advance wakes everyone waiting.
func (p *progress) advance() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.next)
	p.next = make(chan struct{})
}

// waitFor calls done after each commit of the projector (and once first)
// until it reports true, ctx ends, or the store closes. On PostgreSQL
// another instance's projector may be the one applying, so it also looks
// every projectEvery.
func (s *Store) waitFor(ctx context.Context, done func() (bool, error)) error {
	for {
		next := s.progress.advanced()
		ok, err := done()
		if err != nil || ok {
			return err
		}
		select {
		case <-next:
		case <-time.After(projectEvery):
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return ErrClosed
		}
	}
}

// Applied waits until the projector has applied a logged event and returns
// what applying it did (a duplicate's result is returned as it is).
func (s *Store) Applied(ctx context.Context, res Result) (Result, error) {
	if res.Outcome == OutcomeDuplicate || res.EventID == 0 {
		return res, nil
	}
	err := s.waitFor(ctx, func() (bool, error) {
		var out []EventOutcome
		if err := s.db.WithContext(ctx).Where("event_id = ?", res.EventID).Limit(1).Find(&out).Error; err != nil {
			return false, err
		}
		if len(out) == 0 {
			return false, nil
		}
		res.Outcome = out[0].Outcome
		return true, nil
	})
	return res, err
}

// waitingRows are the log rows the projector has not read yet, as r:
// those past its position in commit order.
const waitingRows = ` FROM raw_events r, projector_position p WHERE p.id = 1 AND (r.xid, r.id) > (p.xid, p.event_id)`

// behindSQL finds a log row the projector has not read yet, with an id up
// to the argument.
const behindSQL = `SELECT EXISTS (SELECT 1` + waitingRows + ` AND r.id <= ?)`

// Settle waits, up to wait, until the models reflect every delivery logged
// before it was called, so a script that posts and then reads sees its
// writes. It reports whether they do.
func (s *Store) Settle(ctx context.Context, wait time.Duration) (bool, error) {
	var head *uint64
	if err := s.db.WithContext(ctx).Model(&RawEvent{}).Select("MAX(id)").Scan(&head).Error; err != nil || head == nil {
		return err == nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	err := s.waitFor(ctx, func() (bool, error) {
		var behind bool
		err := s.db.WithContext(ctx).Raw(behindSQL, *head).Scan(&behind).Error
		return !behind, err
	})
	if ctx.Err() != nil && err == ctx.Err() {
		return false, nil
	}
	return err == nil, err
}

// Lag is how far the models are behind the event log.
type Lag struct {
	// Events is how many logged events are not applied yet.
	Events int64
	// Oldest is when the oldest of them arrived (zero when none).
	Oldest time.Time
}

// Age is how long the oldest event not applied yet has waited.
func (l Lag) Age(now time.Time) time.Duration {
	if l.Events == 0 || l.Oldest.IsZero() {
		return 0
	}
	return max(now.Sub(l.Oldest), 0)
}

// Lag reads how far the projector is behind the log.
//
// The oldest time is read as the column itself, from the first waiting row
// by received_at, not as MIN(received_at): SQLite gives an aggregate no
// declared type, so its driver returns the stored text, which does not
// scan into a time. The two reads may straddle a projector commit, which
// at worst makes the time that of a newer waiting row (or none: Age 0).
func (s *Store) Lag(ctx context.Context) (Lag, error) {
	var l Lag
	db := s.db.WithContext(ctx)
	if err := db.Raw(`SELECT COUNT(*)` + waitingRows).Scan(&l.Events).Error; err != nil || l.Events == 0 {
		return Lag{}, err
	}
	var oldest []time.Time
	if err := db.Raw(`SELECT r.received_at` + waitingRows + ` ORDER BY r.received_at LIMIT 1`).Scan(&oldest).Error; err != nil {
		return Lag{}, err
	}
	if len(oldest) > 0 {
		l.Oldest = oldest[0]
	}
	return l, nil
}
