package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// modelTables are the tables the projector derives from the event log,
// children first.
var modelTables = []string{"attendances", "participants", "call_steps", "calls", "recordings", "streams",
	"transcriptions", "agent_sessions", "batch_calls", "resources", "knowledge_bases", "sessions", "meetings"}

// ErrNotApplied: the event has not been applied yet, so there is nothing to
// apply again; the projector will.
var ErrNotApplied = errors.New("not applied yet")

// StartRebuild empties the models and the events' outcomes and moves the
// projector back to the start of the log, in one transaction: the
// projector then decodes every stored body again with today's decoders
// and applies the whole log, in the order it was committed, while new
// deliveries keep being accepted behind it. Follow the progress with Lag.
//
// Once retention has removed events, the log no longer holds the whole
// history: the meetings first seen before the newest removed event keep
// their models as they are, and their events are not applied again (they
// are marked so in the log); the others are rebuilt. Models of no meeting
// (batch calls, resources, knowledge bases) are kept and their events
// applied again over them.
// It returns how many events the log held at that point: what the rebuild
// applies again (counted in the same transaction, since either projector
// may start applying them as soon as it commits).
func (s *Store) StartRebuild(ctx context.Context) (int64, error) {
	var events int64
	err := s.writeTx(ctx, func(tx *gorm.DB) error {
		pg := isPostgres(tx)
		if pg {
			// Wait for a pass under way on any instance, and hold the
			// others off until this commits.
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", projectorLock).Error; err != nil {
				return err
			}
		}
		var pos struct{ PrunedBefore *time.Time }
		if err := tx.Raw("SELECT pruned_before FROM projector_position WHERE id = 1").Scan(&pos).Error; err != nil {
			return err
		}
		var until []uint64
		if err := tx.Raw("SELECT COALESCE(MAX(id), 0) FROM raw_events").Scan(&until).Error; err != nil {
			return err
		}
		switch {
		case pos.PrunedBefore != nil:
			// The log no longer holds everything: keep the meetings whose
			// history began before what it holds.
			if err := emptyRebuilt(tx, *pos.PrunedBefore); err != nil {
				return err
			}
			if err := tx.Exec("DELETE FROM event_outcomes").Error; err != nil {
				return err
			}
		case pg:
			if err := tx.Exec("TRUNCATE event_outcomes, " + strings.Join(modelTables, ", ")).Error; err != nil {
				return err
			}
		default:
			for _, t := range append([]string{"event_outcomes"}, modelTables...) {
				if err := tx.Exec("DELETE FROM " + t).Error; err != nil {
					return fmt.Errorf("empty %s: %w", t, err)
				}
			}
		}
		start := "0"
		if pg {
			start = "'0'::xid8"
		}
		if err := tx.Exec("UPDATE projector_position SET xid = "+start+", event_id = 0, keep_before = ?, rebuild_until = ? WHERE id = 1",
			pos.PrunedBefore, until[0]).Error; err != nil {
			return err
		}
		if err := tx.Model(&RawEvent{}).Count(&events).Error; err != nil {
			return err
		}
		// Every page shows less until the projector has caught up.
		return tx.Create(&Change{CreatedAt: time.Now().UTC(), Others: true}).Error
	})
	return events, err
}

// Reapply applies one event of the log again, with today's decoders: for
// an event whose apply failed (OutcomeError), once the cause is fixed. It
// returns what applying it did now.
func (s *Store) Reapply(ctx context.Context, id uint64) (EventOutcome, error) {
	var out EventOutcome
	err := s.writeTx(ctx, func(tx *gorm.DB) error {
		if isPostgres(tx) {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", projectorLock).Error; err != nil {
				return err
			}
		}
		var rows []logRow
		if err := tx.Raw("SELECT id, provider, type, received_at, meeting_id, session_id, body, detail, "+xidText(tx, "xid")+
			" AS xid FROM raw_events WHERE id = ?", id).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return ErrNotFound
		}
		var done int64
		if err := tx.Model(&EventOutcome{}).Where("event_id = ?", id).Count(&done).Error; err != nil {
			return err
		}
		if done == 0 {
			return ErrNotApplied
		}
		if err := tx.SavePoint("reapply").Error; err != nil {
			return err
		}
		results, err := s.applyRows(tx, rows, nil)
		var pe *projectError
		if errors.As(err, &pe) {
			// Still failing: record it again, with today's error.
			if err := tx.RollbackTo("reapply").Error; err != nil {
				return err
			}
			results, err = s.applyRows(tx, rows, map[uint64]error{id: pe.err})
		}
		if err != nil {
			return err
		}
		out = EventOutcome{EventID: id, Outcome: results[0].Outcome}
		return recordChange(tx, results, time.Now().UTC())
	})
	if err == nil {
		poke(s.committed)
	}
	return out, err
}
