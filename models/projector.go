package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Decoder reads a stored delivery's body into its event: the providers'
// decoders, by provider name. The projector decodes every body again, so
// after a decoder fix a rebuild corrects the history.
type Decoder func(provider string, body []byte) (Event, error)

// projectorLock is the PostgreSQL advisory lock each projector transaction
// takes: across instances sharing a database one applies at a time, and
// when its instance dies its transaction ends and another takes over at
// its next pass.
const projectorLock = 7262012

// projectEvery is how often the projector looks at the log without being
// woken: for what other instances logged.
const projectEvery = 250 * time.Millisecond

// A pass that applied events is followed by a gap of projectGapX times its
// cost, at most maxProjectGap (see project).
const (
	projectGapX   = 4
	maxProjectGap = 100 * time.Millisecond
)

// errBusy says another instance's projector holds the lock.
var errBusy = errors.New("another projector is applying")

// The projector folds the event log into the models, in commit order.
//
// Commit order is not id order on PostgreSQL: with several committers (or
// instances) a row with a smaller id can commit after one with a larger
// id, and a reader that trusts ids passes it over for good. So each row
// records the transaction that logged it (raw_events.xid), and the
// projector reads in (xid, id) order only the rows below the oldest
// transaction still in flight (pg_snapshot_xmin of the current snapshot):
// no row can appear there any more. On SQLite, whose one writer commits in
// id order, xid is 0 and the order is id order.
//
// Each pass applies up to ProjectBatch events in one transaction, through
// the same write-back cache as before (one set of loads and writes for the
// whole batch), records their outcomes in event_outcomes, moves
// projector_position past them and appends the change-feed row: the models,
// the outcomes and the position commit together, so each event is applied
// exactly once across crashes. An event that fails to apply is recorded as
// OutcomeError with the error, and the pass is run again without it: one
// poison delivery never stalls the others. Reapply applies it again after a
// fix.
func (s *Store) project() {
	tick := time.NewTicker(projectEvery)
	defer tick.Stop()
	backoff := time.Duration(0)
	var next time.Time // the earliest start of the next pass
	for {
		select {
		case <-s.closing:
			return
		case <-s.logged:
		case <-tick.C:
		}
		// Under a stream of deliveries each pass is followed by a gap of
		// projectGapX times what it cost (at most maxProjectGap), so the
		// deliveries of the gap are applied together: fewer, larger
		// transactions, and on SQLite fewer turns taken from the log's
		// writer. After a quiet spell a delivery is applied at once.
		if wait := time.Until(next); wait > 0 {
			select {
			case <-s.closing:
				return
			case <-time.After(wait):
			}
		}
		for {
			start := time.Now()
			n, err := s.projectPass(context.Background())
			if n > 0 {
				next = start.Add(min(projectGapX*time.Since(start), maxProjectGap))
			}
			switch {
			case errors.Is(err, errBusy):
			case err != nil:
				backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
				s.opts.Logger.Warn("projector: applying the event log failed; retrying", "err", err, "in", backoff)
				select {
				case <-s.closing:
					return
				case <-time.After(backoff):
				}
				continue
			default:
				backoff = 0
			}
			if err != nil || n < s.opts.ProjectBatch {
				break
			}
			select {
			case <-s.closing:
				return
			default:
			}
		}
	}
}

// projectPass applies the next events of the log, up to ProjectBatch, and
// reports how many. A failure that names an event marks that event and runs
// the pass again without it. One that names none (the batch's writes failed
// as a whole) is narrowed down: the pass goes on through the same events in
// transactions half as large until one of a single event names it, and then
// takes the rest at once again, so a poison delivery deep in a batch costs
// a few transactions, not a pass per event before it.
func (s *Store) projectPass(ctx context.Context) (int, error) {
	failed := map[uint64]error{}
	batch := s.opts.ProjectBatch
	limit, done, retries := batch, 0, 0
	for {
		n, err := s.projectTx(ctx, limit, failed)
		var pe *projectError
		switch {
		case err == nil:
			done += n
			if n < limit || done >= batch {
				return done, nil
			}
			limit = min(limit, batch-done)
		case errors.Is(err, errBusy):
			return done, err
		case errors.As(err, &pe) && !transient(pe.err) && failed[pe.id] == nil:
			failed[pe.id] = pe.err
			limit = batch - done
		case transient(err) && retries < 3:
			retries++
		case !transient(err) && limit > 1:
			limit /= 2
		default:
			return done, err
		}
	}
}

// projectError is a failure to apply one event.
type projectError struct {
	id  uint64
	err error
}

func (e *projectError) Error() string { return fmt.Sprintf("event %d: %v", e.id, e.err) }
func (e *projectError) Unwrap() error { return e.err }

// logRow is an event log row as the projector reads it.
type logRow struct {
	ID         uint64
	Provider   string
	Type       string
	ReceivedAt time.Time
	MeetingID  string
	SessionID  string
	Body       []byte
	Detail     string
	Xid        string
}

// EventOutcome is what applying one event did, in event_outcomes.
type EventOutcome struct {
	EventID uint64 `gorm:"primaryKey;autoIncrement:false"`
	// ReceivedAt is the event's arrival, by which PostgreSQL partitions
	// the outcomes as it does the log (see partitions.go).
	ReceivedAt time.Time
	Outcome    string
	Detail     string
}

// projectorPosition is how far the projector has read the log.
type projectorPosition struct {
	ID      int `gorm:"primaryKey"`
	Xid     string
	EventID uint64
	// KeepBefore is set while a rebuild after pruning runs: meetings first
	// seen before it keep their models, and their events are not applied
	// again, until the projector has passed RebuildUntil, the log's last
	// event when the rebuild began (see StartRebuild).
	KeepBefore   *time.Time
	RebuildUntil uint64
}

// TableName is projector_position.
func (projectorPosition) TableName() string { return "projector_position" }

// xidText reads an xid column as text on PostgreSQL (xid8), as is on
// SQLite.
func xidText(db *gorm.DB, column string) string {
	if isPostgres(db) {
		return column + "::text"
	}
	return "CAST(" + column + " AS TEXT)"
}

// xidArg is the SQL for an xid argument.
func xidArg(db *gorm.DB) string {
	if isPostgres(db) {
		return "?::xid8"
	}
	return "?"
}

// projectTx is one pass in one transaction; events in failed are recorded
// as OutcomeError without being applied.
func (s *Store) projectTx(ctx context.Context, limit int, failed map[uint64]error) (int, error) {
	var n int
	err := s.projectorTx(ctx, func(tx *gorm.DB) error {
		pg := isPostgres(tx)
		if pg {
			var got bool
			if err := tx.Raw("SELECT pg_try_advisory_xact_lock(?)", projectorLock).Scan(&got).Error; err != nil {
				return err
			}
			if !got {
				return errBusy
			}
		}
		var pos projectorPosition
		if err := tx.Raw("SELECT id, " + xidText(tx, "xid") + " AS xid, event_id, keep_before, rebuild_until FROM projector_position WHERE id = 1").Scan(&pos).Error; err != nil {
			return err
		}
		// The order names the table's column: the text alias would sort
		// "1000" before "999".
		q := "SELECT id, provider, type, received_at, meeting_id, session_id, body, detail, " + xidText(tx, "raw_events.xid") + " AS xid FROM raw_events " +
			"WHERE (raw_events.xid, id) > (" + xidArg(tx) + ", ?)"
		if pg {
			q += " AND raw_events.xid < pg_snapshot_xmin(pg_current_snapshot())"
		}
		q += " ORDER BY raw_events.xid, raw_events.id LIMIT ?"
		var rows []logRow
		if err := tx.Raw(q, pos.Xid, pos.EventID, limit).Scan(&rows).Error; err != nil {
			return err
		}
		n = len(rows)
		if n == 0 {
			return nil
		}
		kept, err := keptMeetings(tx, pos.KeepBefore, rows)
		if err != nil {
			return err
		}
		for id := range kept {
			if failed[id] == nil {
				if failed == nil {
					failed = map[uint64]error{}
				}
				failed[id] = errKept
			}
		}
		results, err := s.applyRows(tx, rows, failed)
		if err != nil {
			return err
		}
		last := rows[len(rows)-1]
		if err := tx.Exec("UPDATE projector_position SET xid = "+xidArg(tx)+", event_id = ? WHERE id = 1", last.Xid, last.ID).Error; err != nil {
			return err
		}
		if pos.KeepBefore != nil {
			if err := endKeeping(tx, pos.RebuildUntil); err != nil {
				return err
			}
		}
		if err := countApplied(tx, rows, results, time.Now()); err != nil {
			return err
		}
		return recordChange(tx, results, time.Now().UTC())
	})
	if err == nil && n > 0 {
		s.progress.advance()
		poke(s.committed)
	}
	return n, err
}

// applyRows decodes the rows again, applies them in order through one
// write-back cache, and records their outcomes. It returns what each did,
// for the change feed.
func (s *Store) applyRows(tx *gorm.DB, rows []logRow, failed map[uint64]error) ([]Result, error) {
	ds := make([]Delivery, len(rows))
	notes := make([][]string, len(rows))
	var toApply []Delivery
	for i, r := range rows {
		ev, err := s.opts.Decode(r.Provider, r.Body)
		if err != nil {
			// Today's decoder refuses a body an earlier one took: keep what
			// the log says of it.
			ev = Event{Type: r.Type, MeetingID: r.MeetingID, SessionID: r.SessionID}
			notes[i] = append(notes[i], "decode failed: "+err.Error())
		}
		ds[i] = boundIDs(Delivery{Provider: r.Provider, Body: r.Body, ReceivedAt: r.ReceivedAt, Event: ev})
		notes[i] = append(ds[i].Event.Problems, notes[i]...)
		if failed[r.ID] == nil && ds[i].Event.HasChange() {
			toApply = append(toApply, ds[i])
		}
	}
	b := newBatch(tx)
	if err := b.load(toApply); err != nil {
		if len(rows) == 1 {
			return nil, &projectError{id: rows[0].ID, err: err}
		}
		return nil, err
	}
	outcomes := make([]EventOutcome, len(rows))
	results := make([]Result, len(rows))
	for i, r := range rows {
		d := ds[i]
		o := EventOutcome{EventID: r.ID, ReceivedAt: r.ReceivedAt}
		failure := ""
		switch {
		case failed[r.ID] == errKept:
			o.Outcome = OutcomeStored
			notes[i] = append(notes[i], errKept.Error())
		case failed[r.ID] != nil:
			o.Outcome = OutcomeError
			notes[i] = append(notes[i], "apply failed: "+failed[r.ID].Error())
		case !d.Event.HasChange():
			o.Outcome = OutcomeStored
		default:
			var changed bool
			var err error
			changed, failure, err = apply(b, d)
			if err != nil {
				return nil, &projectError{id: r.ID, err: err}
			}
			o.Outcome = OutcomeNoChange
			if changed {
				o.Outcome = OutcomeApplied
			}
			notes[i] = append(notes[i], d.Event.TimeSource().Note())
		}
		o.Detail = strings.Join(notes[i], "; ")
		outcomes[i] = o
		results[i] = Result{EventID: r.ID, Provider: r.Provider, Type: d.Event.Type, MeetingID: d.Event.MeetingID, Outcome: o.Outcome, failure: failure}
	}
	if err := b.flush(); err != nil {
		if len(rows) == 1 {
			return nil, &projectError{id: rows[0].ID, err: err}
		}
		return nil, err
	}
	key := []clause.Column{{Name: "event_id"}}
	if isPostgres(tx) {
		key = append(key, clause.Column{Name: "received_at"}) // the partition key is part of the primary key
	}
	if err := tx.Clauses(clause.OnConflict{Columns: key,
		DoUpdates: clause.AssignmentColumns([]string{"outcome", "detail"})}).
		CreateInBatches(outcomes, writeBatchSize).Error; err != nil {
		return nil, err
	}
	// A decoder that reads a body differently now (after a fix) corrects
	// the log's own columns too, so the event log files the event where it
	// belongs.
	for i, r := range rows {
		ev := ds[i].Event
		raw := newRawEvent(ds[i])
		if raw.Type != r.Type || raw.MeetingID != r.MeetingID || raw.SessionID != r.SessionID {
			if err := tx.Model(&RawEvent{}).Where("id = ?", r.ID).
				Updates(map[string]any{"type": ev.Type, "meeting_id": raw.MeetingID, "session_id": raw.SessionID}).Error; err != nil {
				return nil, err
			}
			results[i].MeetingID = raw.MeetingID
		}
	}
	return results, nil
}

// TableName is event_outcomes.
func (EventOutcome) TableName() string { return "event_outcomes" }
