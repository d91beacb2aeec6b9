package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Retention: raw events older than StoreOptions.Retention are removed from
// the log, off the webhook path, in small batches in id order (the order
// they arrived in, near enough), each its own short transaction, so
// ingest and the projector go on between them. Only events the projector
// has applied are removed; the models outlive them. The time of the newest
// event removed is kept (projector_position.pruned_before), so a rebuild
// knows which history the log no longer holds (see StartRebuild).
const (
	pruneEvery = 10 * time.Minute
	pruneBatch = 1000
	prunePause = 20 * time.Millisecond
)

// prune removes, every pruneEvery until the store closes, the applied
// events received before now minus the retention.
func (s *Store) prune() {
	tick := time.NewTicker(pruneEvery)
	defer tick.Stop()
	for {
		n, err := s.Prune(context.Background(), time.Now().UTC().Add(-s.opts.Retention))
		if err != nil {
			s.opts.Logger.Warn("retention: removing old events failed; will retry", "err", err)
		} else if n > 0 {
			s.opts.Logger.Info("retention: removed old events from the log", "events", n, "retention", s.opts.Retention)
		}
		select {
		case <-s.closing:
			return
		case <-tick.C:
		}
	}
}

// Prune removes the applied events received before cutoff, in batches,
// and returns how many.
func (s *Store) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	total := 0
	for {
		n, err := s.pruneBatch(ctx, cutoff)
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

// pruneBatch removes up to pruneBatch of the oldest events, if they were
// received before cutoff and are applied.
func (s *Store) pruneBatch(ctx context.Context, cutoff time.Time) (int, error) {
	n := 0
	err := s.writeTx(ctx, func(tx *gorm.DB) error {
		var rows []struct {
			ID         uint64
			ReceivedAt time.Time
		}
		err := tx.Raw(`SELECT r.id, r.received_at FROM raw_events r, projector_position p
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
		if err := tx.Where("id IN ?", ids).Delete(&RawEvent{}).Error; err != nil {
			return err
		}
		n = len(ids)
		return tx.Exec("UPDATE projector_position SET pruned_before = ? WHERE id = 1 AND (pruned_before IS NULL OR pruned_before < ?)",
			newest, newest).Error
	})
	return n, err
}
