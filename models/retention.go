package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Retention: raw events older than StoreOptions.Retention are removed from
// the log off the webhook path. On PostgreSQL whole partitions go (see
// partitions.go); on SQLite, and in PostgreSQL's legacy and default
// partitions, rows are deleted in small batches in id order (the order
// they arrived in, near enough), each its own short transaction, so ingest
// and the projector go on between them. Only events the projector has
// applied are removed; the models outlive them. The time before which
// nothing is left is kept (projector_position.pruned_before), so a rebuild
// knows which history the log no longer holds (see StartRebuild).
const (
	pruneEvery = 10 * time.Minute
	pruneBatch = 1000
	prunePause = 20 * time.Millisecond
)

// maintainLog keeps, every pruneEvery until the store closes, the log's
// partitions ready ahead of time (on PostgreSQL) and, with a retention,
// removes the applied events received before now minus the retention.
func (s *Store) maintainLog() {
	tick := time.NewTicker(pruneEvery)
	defer tick.Stop()
	for {
		if err := s.EnsurePartitions(context.Background(), time.Now()); err != nil {
			s.opts.Logger.Warn("event log: creating partitions ahead failed; deliveries land in the default partition until a retry succeeds", "err", err)
		}
		if s.opts.Retention > 0 {
			n, err := s.Prune(context.Background(), time.Now().UTC().Add(-s.opts.Retention))
			if err != nil {
				s.opts.Logger.Warn("retention: removing old events failed; will retry", "err", err)
			} else if n > 0 {
				s.opts.Logger.Info("retention: removed old events from the log", "events", n, "retention", s.opts.Retention)
			}
		}
		select {
		case <-s.closing:
			return
		case <-tick.C:
		}
	}
}

// Prune removes the applied events received before cutoff and returns how
// many: on PostgreSQL the partitions that hold only such events, then the
// rows of the legacy and default partitions; on SQLite the rows, in
// batches.
func (s *Store) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	if !isPostgres(s.db) {
		return s.pruneRows(ctx, "raw_events", cutoff)
	}
	total, err := s.dropPartitions(ctx, cutoff)
	for _, table := range []string{"raw_events_legacy", "raw_events_default"} {
		if err != nil {
			return total, err
		}
		var found bool
		if err = s.db.WithContext(ctx).Raw("SELECT to_regclass(?) IS NOT NULL", table).Scan(&found).Error; err != nil || !found {
			continue
		}
		var n int
		n, err = s.pruneRows(ctx, table, cutoff)
		total += n
	}
	return total, err
}

// pruneRows deletes from a table of the log its applied events received
// before cutoff, in batches, and returns how many.
func (s *Store) pruneRows(ctx context.Context, table string, cutoff time.Time) (int, error) {
	total := 0
	for {
		n, err := s.pruneBatch(ctx, table, cutoff)
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
		select {
		case <-s.closing:
			return total, nil
		case <-time.After(prunePause):
		}
	}
}

// pruneBatch removes up to pruneBatch of the oldest events of a table of
// the log, if they were received before cutoff and are applied.
func (s *Store) pruneBatch(ctx context.Context, table string, cutoff time.Time) (int, error) {
	n := 0
	err := s.writeTx(ctx, func(tx *gorm.DB) error {
		var rows []struct {
			ID         uint64
			ReceivedAt time.Time
		}
		err := tx.Raw(`SELECT r.id, r.received_at FROM `+table+` r, projector_position p
			WHERE p.id = 1 AND (r.xid, r.id) <= (p.xid, p.event_id) ORDER BY r.id LIMIT ?`, pruneBatch).Scan(&rows).Error
		if err != nil {
			return err
		}
		var ids []uint64
		var newest time.Time
		for _, r := range rows {
			if !r.ReceivedAt.Before(cutoff) {
				break
			}
			ids = append(ids, r.ID)
			newest = r.ReceivedAt
		}
		if len(ids) == 0 {
			return nil
		}
		if err := tx.Where("event_id IN ?", ids).Delete(&EventOutcome{}).Error; err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM "+table+" WHERE id IN ?", ids).Error; err != nil {
			return err
		}
		n = len(ids)
		return tx.Exec("UPDATE projector_position SET pruned_before = ? WHERE id = 1 AND (pruned_before IS NULL OR pruned_before < ?)",
			newest, newest).Error
	})
	return n, err
}
