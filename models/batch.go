package models

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// batch is the write-back cache of one commit: the meetings, sessions and
// participants (with their attendances) that the batch's deliveries touch.
// It loads them in a few set-based queries before the deliveries are
// applied, the deliveries change the sessions and participants in memory,
// and flush writes them back in a few multi-row statements, so a commit
// costs about the same number of round trips whether it holds one delivery
// or hundreds.
//
// The other models (recordings, streams, calls...) are rarer and are
// written through tx directly. Two statements change cached tables in SQL
// (closing a session's attendances, naming a placeholder session); each
// does the same to the cached rows, so the cache never disagrees with the
// database about a row it holds.
type batch struct {
	tx       *gorm.DB
	meetings map[meetingKey]*Meeting
	sessions map[sessionKey]*cached[Session]
	// byMeeting lists each meeting's cached sessions, oldest first.
	byMeeting map[uint][]*cached[Session]
	people    map[personKey]*person
	// sessionList and peopleList hold the cached rows in the order they
	// were read or made, so new rows get their ids in that order.
	sessionList []*cached[Session]
	peopleList  []*person
	// A key in these sets was looked up: missing from the cache means
	// missing from the database.
	sessionSeen map[sessionKey]bool
	personSeen  map[personKey]bool
	// current marks the meetings whose live sessions and newest session
	// are all cached.
	current map[uint]bool
	// closed marks the sessions whose open attendances were closed in
	// this batch.
	closed map[sessionKey]bool
}

type meetingKey struct{ provider, id string }

type sessionKey struct {
	meeting uint
	id      string
}

type personKey struct {
	meeting         uint
	session, partic string
}

// cached is a row of the cache: stored once it is in the database, dirty
// while it differs from it.
type cached[T any] struct {
	row    T
	stored bool
	dirty  bool
}

// person is a cached participant and all its attendances, oldest first;
// changed marks the attendances to write back.
type person struct {
	cached[Participant]
	visits  []Attendance
	changed []bool
}

func newBatch(tx *gorm.DB) *batch {
	return &batch{
		tx:          tx,
		meetings:    map[meetingKey]*Meeting{},
		sessions:    map[sessionKey]*cached[Session]{},
		byMeeting:   map[uint][]*cached[Session]{},
		people:      map[personKey]*person{},
		sessionSeen: map[sessionKey]bool{},
		personSeen:  map[personKey]bool{},
		current:     map[uint]bool{},
		closed:      map[sessionKey]bool{},
	}
}

// load creates the meetings of the deliveries that are missing, locks them
// all for the rest of the transaction (so instances never interleave
// changes to one meeting), moves their last-event times forward, and reads
// the sessions and participants the deliveries name.
func (b *batch) load(ds []Delivery) error {
	if err := b.loadMeetings(ds); err != nil {
		return err
	}
	var named []sessionKey
	var sessionless []uint
	for _, d := range ds {
		ev := d.Event
		m := b.meetings[meetingKey{d.Provider, ev.MeetingID}]
		switch {
		case m == nil:
		case ev.SessionID != "":
			// The placeholder too: naming it is checked for every named event.
			named = append(named, sessionKey{m.ID, ev.SessionID}, sessionKey{m.ID, ""})
		case ev.Participant != nil:
			// It joins a current session or the placeholder.
			sessionless = append(sessionless, m.ID)
			named = append(named, sessionKey{m.ID, ""})
		}
	}
	if err := b.loadSessions(named, sessionless); err != nil {
		return err
	}
	var people []personKey
	for _, d := range ds {
		ev := d.Event
		m := b.meetings[meetingKey{d.Provider, ev.MeetingID}]
		if m == nil || ev.Participant == nil || ev.Participant.ParticipantID == "" {
			continue
		}
		if ev.SessionID != "" {
			people = append(people, personKey{m.ID, ev.SessionID, ev.Participant.ParticipantID})
			continue
		}
		// The event joins one of the meeting's current sessions, or the
		// placeholder.
		people = append(people, personKey{m.ID, "", ev.Participant.ParticipantID})
		for _, s := range b.byMeeting[m.ID] {
			people = append(people, personKey{m.ID, s.row.SessionID, ev.Participant.ParticipantID})
		}
	}
	return b.loadPeople(people)
}

// loadMeetings makes sure every meeting of the deliveries exists, moves
// its last-event time to the batch's newest delivery of it, and locks it,
// in one upsert. Keys are sorted so that two transactions lock in one order.
// The cached meetings carry only their ids and keys.
func (b *batch) loadMeetings(ds []Delivery) error {
	type span struct{ first, last time.Time }
	spans := map[meetingKey]*span{}
	var keys []meetingKey
	for _, d := range ds {
		k := meetingKey{d.Provider, d.Event.MeetingID}
		if k.id == "" {
			continue
		}
		if sp := spans[k]; sp != nil {
			sp.last = later(sp.last, d.ReceivedAt)
			continue
		}
		spans[k] = &span{d.ReceivedAt, d.ReceivedAt}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(a, b meetingKey) int {
		return cmp.Or(cmp.Compare(a.provider, b.provider), cmp.Compare(a.id, b.id))
	})
	newest := "MAX"
	if isPostgres(b.tx) {
		newest = "GREATEST"
	}
	for chunk := range slices.Chunk(keys, writeBatchSize) {
		var sql strings.Builder
		sql.WriteString("INSERT INTO meetings (provider, meeting_id, first_seen_at, last_event_at) VALUES ")
		args := make([]any, 0, 4*len(chunk))
		for i, k := range chunk {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString("(?, ?, ?, ?)")
			args = append(args, k.provider, k.id, spans[k].first, spans[k].last)
		}
		fmt.Fprintf(&sql, " ON CONFLICT (provider, meeting_id) DO UPDATE SET last_event_at = %s(meetings.last_event_at, excluded.last_event_at)"+
			" RETURNING id, provider, meeting_id", newest)
		var rows []Meeting
		if err := b.tx.Raw(sql.String(), args...).Scan(&rows).Error; err != nil {
			return err
		}
		for i := range rows {
			b.meetings[meetingKey{rows[i].Provider, rows[i].MeetingID}] = &rows[i]
		}
	}
	return nil
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// meeting returns the locked meeting of a delivery.
func (b *batch) meeting(provider, id string) *Meeting {
	return b.meetings[meetingKey{provider, id}]
}

// loadSessions reads the sessions that keys name, and for the meetings in
// current every live session and the newest one.
func (b *batch) loadSessions(keys []sessionKey, current []uint) error {
	keys = uniq(keys)
	current = uniq(slices.DeleteFunc(current, func(ref uint) bool { return b.current[ref] }))
	var conds []string
	var args []any
	if len(keys) > 0 {
		tuples := make([][]any, len(keys))
		for i, k := range keys {
			tuples[i] = []any{k.meeting, k.id}
		}
		conds, args = append(conds, "(meeting_ref, session_id) IN ?"), append(args, tuples)
	}
	if len(current) > 0 {
		conds = append(conds, "(meeting_ref IN ? AND (status = ? OR id IN (SELECT MAX(id) FROM sessions WHERE meeting_ref IN ? GROUP BY meeting_ref)))")
		args = append(args, current, SessionLive, current)
	}
	if len(conds) == 0 {
		return nil
	}
	var rows []Session
	if err := b.tx.Where(strings.Join(conds, " OR "), args...).Order("id").Find(&rows).Error; err != nil {
		return err
	}
	for _, k := range keys {
		b.sessionSeen[k] = true
	}
	for _, ref := range current {
		b.current[ref] = true
	}
	for _, s := range rows {
		k := sessionKey{s.MeetingRef, s.SessionID}
		b.sessionSeen[k] = true
		if b.sessions[k] == nil {
			b.addSession(&cached[Session]{row: s, stored: true})
		}
	}
	return nil
}

// addSession caches a session, keeping byMeeting oldest first: stored
// sessions by id, new ones after them.
func (b *batch) addSession(e *cached[Session]) {
	b.sessions[sessionKey{e.row.MeetingRef, e.row.SessionID}] = e
	b.sessionList = append(b.sessionList, e)
	list := b.byMeeting[e.row.MeetingRef]
	i := len(list)
	if e.stored {
		i, _ = slices.BinarySearchFunc(list, e.row.ID, func(s *cached[Session], id uint) int {
			if !s.stored {
				return 1
			}
			return cmp.Compare(s.row.ID, id)
		})
	}
	b.byMeeting[e.row.MeetingRef] = slices.Insert(list, i, e)
}

// session returns the cached session, reading it on a miss; nil when there
// is none.
func (b *batch) session(ref uint, id string) (*cached[Session], error) {
	k := sessionKey{ref, id}
	if !b.sessionSeen[k] {
		if err := b.loadSessions([]sessionKey{k}, nil); err != nil {
			return nil, err
		}
	}
	return b.sessions[k], nil
}

// loadPeople reads the participants that keys name, with their attendances.
func (b *batch) loadPeople(keys []personKey) error {
	keys = uniq(slices.DeleteFunc(keys, func(k personKey) bool { return b.personSeen[k] }))
	if len(keys) == 0 {
		return nil
	}
	tuples := make([][]any, len(keys))
	for i, k := range keys {
		tuples[i] = []any{k.meeting, k.session, k.partic}
	}
	var rows []Participant
	if err := b.tx.Where("(meeting_ref, session_id, participant_id) IN ?", tuples).Find(&rows).Error; err != nil {
		return err
	}
	for _, k := range keys {
		b.personSeen[k] = true
	}
	if len(rows) == 0 {
		return nil
	}
	ids := make([]uint, len(rows))
	for i, p := range rows {
		ids[i] = p.ID
	}
	var visits []Attendance
	if err := b.tx.Where("participant_ref IN ?", ids).Order("id").Find(&visits).Error; err != nil {
		return err
	}
	byRef := map[uint]*person{}
	for _, p := range rows {
		e := &person{cached: cached[Participant]{row: p, stored: true}}
		byRef[p.ID] = e
		b.addPerson(e)
	}
	for _, v := range visits {
		e := byRef[v.ParticipantRef]
		e.visits, e.changed = append(e.visits, v), append(e.changed, false)
	}
	return nil
}

// addPerson caches a participant.
func (b *batch) addPerson(p *person) {
	b.people[personKey{p.row.MeetingRef, p.row.SessionID, p.row.ParticipantID}] = p
	b.peopleList = append(b.peopleList, p)
}

// person returns the cached participant, reading it on a miss; nil when
// there is none.
func (b *batch) person(k personKey) (*person, error) {
	if !b.personSeen[k] {
		if err := b.loadPeople([]personKey{k}); err != nil {
			return nil, err
		}
	}
	return b.people[k], nil
}

// write records that an attendance was changed (w points into visits) or
// made (it does not).
func (p *person) write(w *Attendance) {
	for i := range p.visits {
		if &p.visits[i] == w {
			p.changed[i] = true
			return
		}
	}
	p.visits, p.changed = append(p.visits, *w), append(p.changed, true)
}

// merge applies an event to a cached row and reports whether it changed.
func (c *cached[T]) merge(f func(*T)) bool {
	if !mergeChanged(&c.row, f) {
		return false
	}
	c.dirty = true
	return true
}

// renamePlaceholder gives a meeting's cached placeholder session and its
// cached participants the session id an event named, as the SQL of
// namePlaceholder does to the stored rows.
func (b *batch) renamePlaceholder(s *cached[Session], id string) {
	ref := s.row.MeetingRef
	delete(b.sessions, sessionKey{ref, ""})
	s.row.SessionID, s.dirty = id, true
	b.sessions[sessionKey{ref, id}] = s
	for k, p := range b.people {
		if k.meeting == ref && k.session == "" {
			delete(b.people, k)
			p.row.SessionID, p.dirty = id, true
			k.session = id
			b.people[k] = p
		}
	}
	// Stored participants moved to the new id in SQL: look them up again.
	for k := range b.personSeen {
		if k.meeting == ref {
			delete(b.personSeen, k)
		}
	}
}

// closeCached ends the open attendances of a session's cached participants,
// as the SQL of closeAttendances does to the stored rows.
func (b *batch) closeCached(ref uint, sessionID string, end time.Time) bool {
	closed := false
	for k, p := range b.people {
		if k.meeting != ref || k.session != sessionID || !p.row.Present {
			continue
		}
		for i := range p.visits {
			if v := &p.visits[i]; v.LeftAt == nil {
				t := end
				v.LeftAt, v.LeaveReason = &t, LeaveReasonSessionEnded
				p.changed[i] = true
			}
		}
		p.row.Present, p.dirty = false, true
		closed = true
	}
	return closed
}

// flush writes the new and changed rows back: new rows in one multi-row
// insert per table, changed ones in one multi-row upsert by id.
func (b *batch) flush() error {
	var fresh, changed []*Session
	for _, s := range b.sessionList {
		switch {
		case !s.stored:
			fresh = append(fresh, &s.row)
		case s.dirty:
			changed = append(changed, &s.row)
		}
	}
	if err := writeRows(b.tx, fresh, changed); err != nil {
		return err
	}
	for _, s := range b.sessionList {
		s.stored, s.dirty = true, false
	}
	var newPeople, changedPeople []*Participant
	for _, p := range b.peopleList {
		switch {
		case !p.stored:
			newPeople = append(newPeople, &p.row)
		case p.dirty:
			changedPeople = append(changedPeople, &p.row)
		}
	}
	if err := writeRows(b.tx, newPeople, changedPeople); err != nil {
		return err
	}
	var newVisits, changedVisits []*Attendance
	for _, p := range b.peopleList {
		p.stored, p.dirty = true, false
		for i := range p.visits {
			v := &p.visits[i]
			switch {
			case v.ID == 0:
				v.ParticipantRef = p.row.ID
				newVisits = append(newVisits, v)
			case p.changed[i]:
				changedVisits = append(changedVisits, v)
			}
			p.changed[i] = false
		}
	}
	return writeRows(b.tx, newVisits, changedVisits)
}

// writeBatchSize keeps a multi-row statement well under the bind parameter
// limits of both databases.
const writeBatchSize = 500

// writeRows inserts fresh rows (setting their ids) and overwrites changed
// ones by id.
func writeRows[T any](tx *gorm.DB, fresh, changed []*T) error {
	if len(fresh) > 0 {
		if err := tx.Omit(clause.Associations).CreateInBatches(fresh, writeBatchSize).Error; err != nil {
			return err
		}
	}
	if len(changed) > 0 {
		err := tx.Omit(clause.Associations).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, UpdateAll: true}).
			CreateInBatches(changed, writeBatchSize).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// uniq drops repeated values, keeping the first of each.
func uniq[T comparable](xs []T) []T {
	seen := make(map[T]bool, len(xs))
	return slices.DeleteFunc(xs, func(x T) bool {
		if seen[x] {
			return true
		}
		seen[x] = true
		return false
	})
}
