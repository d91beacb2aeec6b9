package models

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The refusal writer: one goroutine per store writes what RecordRefusal
// queued, off the webhook path, and keeps the refusal tables within their
// bounds.
const (
	// refusalGather is how long the writer waits, once woken, for more
	// refusals to join its write; refusalEvery is the least time between
	// two writes. Under a flood of refusals the change feed (and so every
	// page showing them) hears of them once every refusalEvery.
	refusalGather = 50 * time.Millisecond
	refusalEvery  = time.Second
	// refusalWriteTimeout bounds one write, pruning included.
	refusalWriteTimeout = 10 * time.Second
	// keepRefusalCounts is how long counts are kept: the health page's
	// longest window, and some.
	keepRefusalCounts = 25 * time.Hour
	// refusalPruneBatch is how many refusals one pruning transaction
	// removes, countPruneMinutes how many minutes of counts.
	refusalPruneBatch = 500
	countPruneMinutes = 5
)

// writeRefusals is the refusal writer: it writes what RecordRefusal
// gathered, at most once every refusalEvery, until the store closes, and
// then once more.
func (s *Store) writeRefusals() {
	var last time.Time
	for {
		select {
		case <-s.closing:
			s.flushRefusals()
			return
		case <-s.refusals.wake:
		}
		wait := max(refusalGather, time.Until(last.Add(refusalEvery)))
		select {
		case <-s.closing:
		case <-time.After(wait):
		}
		last = time.Now()
		if kept, ok := s.flushRefusals(); ok {
			s.pruneRefusals(kept > 0)
		}
	}
}

// flushRefusals writes the waiting refusals and counts in one transaction,
// with a row of the change feed, and reports whether it wrote any, and how
// many refusals kept whole. A write that fails is dropped (and counted),
// not retried: the next refusals are written by the next one.
func (s *Store) flushRefusals() (kept int, ok bool) {
	q := s.refusals
	q.mu.Lock()
	rows, counts := q.rows, q.counts
	if len(rows) == 0 && len(counts) == 0 {
		q.mu.Unlock()
		return 0, false
	}
	q.rows, q.counts = nil, make(map[refusalKey]*refusalCount, len(counts))
	q.inFlight = len(rows) + len(counts)
	q.mu.Unlock()

	var n uint64
	list := make([]*refusalCount, 0, len(counts))
	for _, c := range counts {
		n += uint64(c.Deliveries)
		list = append(list, c)
	}
	// In key order, so writers of several instances take the rows' locks
	// in the same order and never wait on each other in a circle.
	slices.SortFunc(list, func(a, b *refusalCount) int {
		return cmp.Or(cmp.Compare(a.Minute, b.Minute), strings.Compare(a.Provider, b.Provider),
			strings.Compare(a.Kind, b.Kind), strings.Compare(a.Source, b.Source))
	})
	ctx, cancel := context.WithTimeout(context.Background(), refusalWriteTimeout)
	defer cancel()
	err := s.writeTx(ctx, func(tx *gorm.DB) error {
		if len(rows) > 0 {
			if err := tx.CreateInBatches(rows, writeBatchSize).Error; err != nil {
				return err
			}
		}
		newest := "MAX(refusal_counts.last_at, excluded.last_at)"
		if isPostgres(tx) {
			newest = "GREATEST(refusal_counts.last_at, excluded.last_at)"
		}
		err := tx.Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "minute"}, {Name: "provider"}, {Name: "kind"}, {Name: "source"}},
			DoUpdates: clause.Set{
				{Column: clause.Column{Name: "deliveries"}, Value: gorm.Expr("refusal_counts.deliveries + excluded.deliveries")},
				{Column: clause.Column{Name: "last_at"}, Value: gorm.Expr(newest)},
			},
		}).CreateInBatches(list, writeBatchSize).Error
		if err != nil {
			return err
		}
		// The charts count refused deliveries with the others, in the
		// transaction that records them.
		t := tally{}
		for _, c := range list {
			t.add(time.Unix(c.Minute*60, 0), SeriesDeliveries, DeliveryLabel(c.Provider, OutcomeRefused), c.Deliveries)
		}
		if err := t.write(tx, time.Now()); err != nil {
			return err
		}
		return appendChange(tx, Change{CreatedAt: time.Now().UTC(), Others: true})
	})
	q.mu.Lock()
	q.inFlight = 0
	if err != nil {
		q.dropped += n
	} else {
		q.written += n
	}
	q.mu.Unlock()
	if err != nil {
		s.warnRefusals("refusals: a write failed; its refusals are dropped", err, n)
		return 0, false
	}
	poke(s.committed)
	return len(rows), true
}

// warnRefusals logs a failed write of refusals, at most once a minute.
func (s *Store) warnRefusals(msg string, err error, n uint64) {
	if time.Since(s.refusalWarned) < time.Minute {
		return
	}
	s.refusalWarned = time.Now()
	s.opts.Logger.Warn(msg, "err", err, "refusals", n)
}

// pruneRefusals removes, in small transactions, the refusals kept whole
// beyond the newest StoreOptions.RefusalsKept (when rows were just added),
// and the counts older than keepRefusalCounts (at most once a minute).
func (s *Store) pruneRefusals(added bool) {
	ctx, cancel := context.WithTimeout(context.Background(), refusalWriteTimeout)
	defer cancel()
	var err error
	if added {
		err = s.pruneKept(ctx)
	}
	if err == nil && time.Since(s.countsPruned) >= time.Minute {
		s.countsPruned = time.Now()
		err = s.pruneCounts(ctx)
	}
	if err != nil {
		s.warnRefusals("refusals: pruning failed; will retry after the next write", err, 0)
	}
}

// pruneKept removes the refusals kept whole beyond the newest
// StoreOptions.RefusalsKept.
func (s *Store) pruneKept(ctx context.Context) error {
	var edge []uint64
	err := s.db.WithContext(ctx).Model(&Refusal{}).Order("id DESC").Offset(s.opts.RefusalsKept).Limit(1).Pluck("id", &edge).Error
	if err != nil || len(edge) == 0 {
		return err
	}
	return s.pruneBatches(ctx, "DELETE FROM refusals WHERE id IN (SELECT id FROM refusals WHERE id <= ? ORDER BY id LIMIT ?)", edge[0], refusalPruneBatch)
}

// pruneCounts removes the counts of minutes over keepRefusalCounts ago.
func (s *Store) pruneCounts(ctx context.Context) error {
	cutoff := time.Now().Add(-keepRefusalCounts).Unix() / 60
	return s.pruneBatches(ctx, "DELETE FROM refusal_counts WHERE minute IN (SELECT DISTINCT minute FROM refusal_counts WHERE minute < ? ORDER BY minute LIMIT ?)", cutoff, countPruneMinutes)
}

// pruneBatches runs a delete of at most batch rows (or minutes), given arg
// and batch, each in a transaction of its own, until it removes fewer rows
// than batch.
func (s *Store) pruneBatches(ctx context.Context, del string, arg any, batch int) error {
	for {
		var n int64
		err := s.writeTx(ctx, func(tx *gorm.DB) error {
			res := tx.Exec(del, arg, batch)
			n = res.RowsAffected
			return res.Error
		})
		if err != nil || n < int64(batch) {
			return err
		}
		select {
		case <-s.closing:
			return nil
		default:
		}
	}
}
