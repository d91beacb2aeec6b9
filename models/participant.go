package models

import (
	"time"
)

// Participant is one person (or SIP leg, or agent) in one session of a
// meeting. Each stay in the room is an Attendance.
type Participant struct {
	ID            uint   `gorm:"primaryKey" json:"-"`
	MeetingRef    uint   `json:"-"`
	SessionID     string `json:"sessionId"`
	ParticipantID string `json:"participantId"`
	Name          string `json:"name"`
	Role          string `json:"role,omitempty"`
	// RoleAt is when the event that gave Role happened: a role is replaced
	// only by one given at the same time or later, so a late join does not
	// undo a role change.
	RoleAt *time.Time `json:"roleAt,omitempty"`
	// Present is true while the participant has an attendance with no leave.
	Present     bool         `json:"present"`
	FirstSeenAt time.Time    `json:"firstSeenAt"`
	Attendances []Attendance `gorm:"foreignKey:ParticipantRef" json:"attendances"`
}

// Attendance is one join and the leave that ended it. JoinedAt is nil when
// the leave arrived for a join never seen.
type Attendance struct {
	ID             uint       `gorm:"primaryKey" json:"-"`
	ParticipantRef uint       `json:"-"`
	JoinedAt       *time.Time `json:"joinedAt,omitempty"`
	LeftAt         *time.Time `json:"leftAt,omitempty"`
	LeaveReason    string     `json:"leaveReason,omitempty"`
}

// applyParticipant records a join or a leave (or, for an update, only the
// name and role). Times are the provider's when it gives them. Joining
// while present and leaving while absent change nothing, so repeats are
// harmless; a leave for a join never seen is kept with the join time the
// leave gives (or none), and the late join then fills it in or, when the
// times match, changes nothing. A join into a session that has ended is closed at the
// session's end.
func applyParticipant(b *batch, m *Meeting, sess *Session, sessionID string, ch *ParticipantChange, at time.Time) (bool, error) {
	if ch.ParticipantID == "" {
		return false, nil
	}
	if ch.At != nil {
		at = *ch.At
	}
	p, err := b.person(personKey{m.ID, sessionID, ch.ParticipantID})
	if err != nil {
		return false, err
	}
	changed := false
	if p == nil {
		p = &person{cached: cached[Participant]{row: Participant{MeetingRef: m.ID, SessionID: sessionID, ParticipantID: ch.ParticipantID}, dirty: true}}
		b.addPerson(p)
		changed = true
	}
	changed = p.merge(func(p *Participant) {
		fillTime(&p.FirstSeenAt, at)
		if ch.Name != "" {
			p.Name = ch.Name
		}
		if ch.Role != "" && (p.RoleAt == nil || !at.Before(*p.RoleAt)) {
			t := at
			p.Role, p.RoleAt = ch.Role, &t
		}
	}) || changed
	if ch.Update {
		return changed, nil
	}
	ended := sess != nil && sess.Status == SessionEnded
	var write *Attendance
	present := p.row.Present
	if !ch.Left {
		write, present = join(p.row.ID, p.visits, p.row.Present, ended, sess, at)
	} else {
		write, present = leave(p.row.ID, p.visits, p.row.Present, ch.Reason, ch.JoinedAt, at)
	}
	if write != nil {
		p.write(write)
		changed = true
	}
	if present != p.row.Present {
		p.row.Present, p.dirty = present, true
		changed = true
	}
	return changed, nil
}

// join decides what a join does to a participant's attendances: the
// attendance to write (nil for none) and whether the participant is now
// present.
func join(ref uint, visits []Attendance, present, ended bool, sess *Session, at time.Time) (*Attendance, bool) {
	if present {
		return nil, true
	}
	// A stay that a leave already recorded with this join time: this is
	// its join, arriving late.
	for _, v := range visits {
		if v.JoinedAt != nil && v.LeftAt != nil && v.JoinedAt.Equal(at) {
			return nil, false
		}
	}
	for i := range visits {
		if v := &visits[i]; v.JoinedAt == nil {
			t := at
			if v.LeftAt != nil && v.LeftAt.Before(t) {
				t = *v.LeftAt
			}
			v.JoinedAt = &t
			return v, false
		}
	}
	if ended {
		if len(visits) > 0 {
			return nil, false
		}
		end := sess.endTime(at)
		if end.Before(at) {
			at = end
		}
		return &Attendance{ParticipantRef: ref, JoinedAt: &at, LeftAt: &end, LeaveReason: LeaveReasonSessionEnded}, false
	}
	return &Attendance{ParticipantRef: ref, JoinedAt: &at}, true
}

// leave decides what a leave does to a participant's attendances. joinedAt
// is the start of the stay by the provider's clock, when the leave gives
// it: a leave for a join never seen then keeps that join time, and one for
// a stay that overlaps none recorded (a later stay whose join was lost) is
// a new attendance.
func leave(ref uint, visits []Attendance, present bool, reason string, joinedAt *time.Time, at time.Time) (*Attendance, bool) {
	if present {
		for i := len(visits) - 1; i >= 0; i-- {
			if v := &visits[i]; v.LeftAt == nil {
				v.LeftAt, v.LeaveReason = &at, reason
				return v, false
			}
		}
	}
	if joinedAt != nil && joinedAt.After(at) {
		joinedAt = &at
	}
	if len(visits) == 0 || joinedAt != nil && !overlapsAny(visits, *joinedAt, at) {
		return &Attendance{ParticipantRef: ref, JoinedAt: joinedAt, LeftAt: &at, LeaveReason: reason}, false
	}
	// A leave after the session closed the attendance tells the real
	// reason, and, when it left before the session's end, the real time
	// too: then it is the leave the in-order stream would have recorded,
	// reason and all (Daily's leaves give none).
	last := &visits[len(visits)-1]
	if last.LeaveReason != LeaveReasonSessionEnded {
		return nil, false
	}
	switch {
	case last.LeftAt != nil && at.Before(*last.LeftAt) && (last.JoinedAt == nil || !at.Before(*last.JoinedAt)):
		last.LeftAt, last.LeaveReason = &at, reason
		return last, false
	case reason != "":
		last.LeaveReason = reason
		return last, false
	}
	return nil, false
}

// overlapsAny reports whether the stay from..to shares a moment with any
// recorded attendance (one with no join time counts as the moment of its
// leave).
func overlapsAny(visits []Attendance, from, to time.Time) bool {
	for _, v := range visits {
		start, end := v.JoinedAt, v.LeftAt
		if start == nil {
			start = end
		}
		if end == nil || start == nil {
			return true
		}
		if !from.After(*end) && !to.Before(*start) {
			return true
		}
	}
	return false
}
