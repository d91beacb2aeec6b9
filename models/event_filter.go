package models

import "gorm.io/gorm"

// The event log's filters (EventFilter's Provider, Type, Outcome, From and
// To) are each served by an index of their own, newest first (migration
// 0022): raw_events (provider, id), (type, id) and (received_at, id), and
// event_outcomes (outcome, event_id); pending events are the tail of the
// log's (xid, id) order index. Filters given together are read through the
// one the database finds most selective, the others checked on the rows it
// reads. On PostgreSQL a time range also leaves out the partitions of the
// log outside it.

// MaxEventTypeLength bounds the event type a filter names.
const MaxEventTypeLength = 100

// LogOutcomes are the outcomes an event of the log can have, which its
// outcome filter takes: OutcomePending until the models have taken it in,
// then what applying it did. (A duplicate delivery is answered with the
// earlier event's id and not logged again.)
func LogOutcomes() []string {
	return []string{OutcomePending, OutcomeApplied, OutcomeNoChange, OutcomeStored, OutcomeError}
}

// listEvents is the read ListEvents makes, but for pending events (see
// listPending). Its order follows the index that can serve it: by id; by
// arrival (then id) when a time range is given, so the range is read from
// its end back; by the outcomes' event id when an outcome is, so the
// outcome's index is read from its newest. They are the same order but
// where clocks disagree by a moment.
func listEvents(db *gorm.DB, f EventFilter) *gorm.DB {
	if f.Outcome != "" && f.Outcome != OutcomePending && isPostgres(db) {
		return listByOutcome(db, f)
	}
	q := f.rows(eventsOf(db)).Limit(pageSize(f.Limit))
	switch {
	case f.Outcome != "":
		q = q.Where("o.outcome = ?", f.Outcome)
		if f.BeforeID > 0 {
			q = q.Where("o.event_id < ?", f.BeforeID)
		}
		return q.Order("o.event_id DESC")
	case f.timed():
		if f.BeforeID > 0 {
			q = q.Where("(raw_events.received_at, raw_events.id) < (SELECT b.received_at, b.id FROM raw_events b WHERE b.id = ?)", f.BeforeID)
		}
		return q.Order("raw_events.received_at DESC, raw_events.id DESC")
	}
	if f.BeforeID > 0 {
		q = q.Where("raw_events.id < ?", f.BeforeID)
	}
	return q.Order("raw_events.id DESC")
}

// listByOutcome reads a page of the events with one outcome on
// PostgreSQL, from the outcomes' index, newest first, looking each event
// up in the one partition of the log that holds it. Written as a join of
// the two partitioned tables, the planner joins them whole (0.3-0.7 s on
// 500,000 events); the lateral lookup, which it cannot flatten, takes a
// few milliseconds.
func listByOutcome(db *gorm.DB, f EventFilter) *gorm.DB {
	event := f.rows(db.Table("raw_events").Select("raw_events.*").
		Where("raw_events.id = o.event_id AND raw_events.received_at = o.received_at")).Limit(1)
	q := db.Table("event_outcomes o").Select("raw_events.*, o.outcome AS outcome, o.detail AS detail").
		Joins("CROSS JOIN LATERAL (?) raw_events", event).
		Where("o.outcome = ?", f.Outcome)
	if !f.From.IsZero() {
		q = q.Where("o.received_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("o.received_at < ?", f.To.UTC())
	}
	if f.BeforeID > 0 {
		q = q.Where("o.event_id < ?", f.BeforeID)
	}
	return q.Order("o.event_id DESC").Limit(pageSize(f.Limit))
}

// listPending reads a page of the events the projector has not applied
// yet: the tail of the log past its position (xid, eventID), in commit
// order, newest first, read backwards along the log's order index. None of
// them has an outcome yet (the projector commits an event's outcome with
// its position), so the outcomes are not read.
func listPending(db *gorm.DB, f EventFilter, xid string, eventID uint64) *gorm.DB {
	q := f.rows(db.Model(&RawEvent{}).Select("raw_events.*, ? AS outcome", OutcomePending)).
		Where("(raw_events.xid, raw_events.id) > ("+xidArg(db)+", ?)", xid, eventID)
	if f.BeforeID > 0 {
		q = q.Where("(raw_events.xid, raw_events.id) < (SELECT b.xid, b.id FROM raw_events b WHERE b.id = ?)", f.BeforeID)
	}
	return q.Order("raw_events.xid DESC, raw_events.id DESC").Limit(pageSize(f.Limit))
}

// timed reports whether f has a time range.
func (f EventFilter) timed() bool { return !f.From.IsZero() || !f.To.IsZero() }

// rows adds f's filters of the log's own columns (meeting, provider, type,
// time) to a read of raw_events.
func (f EventFilter) rows(q *gorm.DB) *gorm.DB {
	if f.Meeting != "" {
		q = q.Where("raw_events.meeting_id = ?", f.Meeting)
	}
	q = withPrefix(q, "raw_events.meeting_id", f.MeetingPrefix)
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
	return q
}
