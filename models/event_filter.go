package models

import "gorm.io/gorm"

// The event log's filters (EventFilter's Provider, Type, Outcome, From and
// To) are each served by an index of their own, newest first (migration
// 0020): raw_events (provider, id), (type, id) and (received_at, id), and
// event_outcomes (outcome, event_id). Filters given together are read
// through the one the database finds most selective, the others checked
// on the rows it reads. On PostgreSQL a time range also leaves out the
// partitions of the log outside it.

// MaxEventTypeLength bounds the event type a filter names.
const MaxEventTypeLength = 100

// LogOutcomes are the outcomes an event of the log can have, which its
// outcome filter takes: OutcomePending until the models have taken it in,
// then what applying it did. (A duplicate delivery is answered with the
// earlier event's id and not logged again.)
func LogOutcomes() []string {
	return []string{OutcomePending, OutcomeApplied, OutcomeNoChange, OutcomeStored, OutcomeError}
}

// filterEvents adds f's provider, type, outcome and time filters, its
// page (BeforeID) and its order, newest first, to a read of the log joined
// with its outcomes (Store.events). The order follows the index that can
// serve it: by id; by arrival (then id) when a time range is given, so the
// range is read from its end back; by the outcomes' event id when an
// outcome is, so the outcome's index is read from its newest. They are the
// same order but where clocks disagree by a moment.
func (f EventFilter) filterEvents(q *gorm.DB, pg bool) *gorm.DB {
	if f.Provider != "" {
		q = q.Where("raw_events.provider = ?", f.Provider)
	}
	if f.Type != "" {
		q = q.Where("raw_events.type = ?", f.Type)
	}
	if !f.From.IsZero() {
		q = q.Where("raw_events.received_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("raw_events.received_at < ?", f.To.UTC())
	}
	switch f.Outcome {
	case "":
	case OutcomePending:
		// The events the projector has not read yet: the tail of the log in
		// commit order, which is id order on SQLite (one writer) and
		// (xid, id) on PostgreSQL, read through their indexes without
		// going through what was applied.
		tail := "raw_events.id > pp.event_id"
		if pg {
			tail = "(raw_events.xid, raw_events.id) > (pp.xid, pp.event_id)"
		}
		q = q.Joins("JOIN projector_position pp ON pp.id = 1 AND " + tail).Where("o.outcome IS NULL")
	default:
		q = q.Where("o.outcome = ?", f.Outcome)
	}
	switch {
	case !f.From.IsZero() || !f.To.IsZero():
		if f.BeforeID > 0 {
			q = q.Where("(raw_events.received_at, raw_events.id) < (SELECT b.received_at, b.id FROM raw_events b WHERE b.id = ?)", f.BeforeID)
		}
		return q.Order("raw_events.received_at DESC, raw_events.id DESC")
	case f.Outcome != "" && f.Outcome != OutcomePending:
		if f.BeforeID > 0 {
			q = q.Where("o.event_id < ?", f.BeforeID)
		}
		return q.Order("o.event_id DESC")
	}
	if f.BeforeID > 0 {
		q = q.Where("raw_events.id < ?", f.BeforeID)
	}
	return q.Order("raw_events.id DESC")
}
