package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Stay is one stay of one participant in one session of a meeting: a row
// of the meeting's attendance. A participant known only from a role change
// has one stay with no join or leave.
type Stay struct {
	SessionID string `json:"sessionId"`
	// SessionStartedAt and SessionEndedAt are the session's times as the
	// provider gave them (see Session).
	SessionStartedAt *time.Time `json:"sessionStartedAt,omitempty"`
	SessionEndedAt   *time.Time `json:"sessionEndedAt,omitempty"`
	ParticipantID    string     `json:"participantId"`
	Name             string     `json:"name"`
	Role             string     `json:"role,omitempty"`
	JoinedAt         *time.Time `json:"joinedAt,omitempty"`
	LeftAt           *time.Time `json:"leftAt,omitempty"`
	// Seconds is the time in the room, in whole seconds, when both the
	// join and the leave are known; 0 when the leave is before the join
	// (a session's end by the provider's clock closing a stay that
	// arrived after it), as the meeting's page shows it.
	Seconds     *int64 `json:"seconds,omitempty"`
	LeaveReason string `json:"leaveReason,omitempty"`
	cursor      StayCursor
}

// StayCursor is a place in a meeting's attendance, whose order is: sessions
// as first stored, each session's participants as first stored, each
// participant's stays in order. Rows are ordered by their ids alone, so a
// change while the attendance is read page by page moves nothing.
type StayCursor struct {
	Session, Participant, Attendance uint
}

// Cursor is the place of the stay, after which the next page starts.
func (s Stay) Cursor() StayCursor { return s.cursor }

// stayRow is a stay as the query reads it.
type stayRow struct {
	ParticipantRef, AttendanceRef uint
	ParticipantID, Name, Role     string
	JoinedAt, LeftAt              *time.Time
	LeaveReason                   string
}

// attendanceSessions is how many sessions one read of the attendance
// takes at a time.
const attendanceSessions = 100

// FindMeeting returns the meeting with that id; with provider empty, the
// most recently active one of that id (as MeetingDetail takes it).
func (s *Store) FindMeeting(ctx context.Context, provider, meetingID string) (Meeting, error) {
	q := s.db.WithContext(ctx).Where("meeting_id = ?", meetingID)
	if provider != "" {
		q = q.Where("provider = ?", provider)
	}
	var found []Meeting
	if err := q.Order("last_event_at DESC").Limit(1).Find(&found).Error; err != nil {
		return Meeting{}, err
	}
	if len(found) == 0 {
		return Meeting{}, ErrNotFound
	}
	return found[0], nil
}

// Attendance returns up to limit stays (at most MaxPageSize, 50 by
// default) of the meeting whose row is meetingRef, after the cursor (nil:
// from the first), in the order StayCursor describes. Fewer than the limit
// means there are no more. Each read goes through the indexes on a
// meeting's sessions and on a session's participants, so a meeting with
// thousands of sessions is read in pages at the cost of the page.
func (s *Store) Attendance(ctx context.Context, meetingRef uint, after *StayCursor, limit int) ([]Stay, error) {
	limit = pageSize(limit)
	db := s.db.WithContext(ctx)
	var at StayCursor
	if after != nil {
		at = *after
	}
	out := []Stay{}
	// The session the cursor is in may have more stays after it.
	if at.Session != 0 {
		var sess []Session
		if err := db.Where("id = ? AND meeting_ref = ?", at.Session, meetingRef).Limit(1).Find(&sess).Error; err != nil {
			return nil, err
		}
		if len(sess) == 1 {
			stays, err := sessionStays(db, sess[0], at, limit)
			if err != nil {
				return nil, err
			}
			out = append(out, stays...)
		}
	}
	for len(out) < limit {
		var sessions []Session
		if err := db.Where("meeting_ref = ? AND id > ?", meetingRef, at.Session).
			Order("id").Limit(attendanceSessions).Find(&sessions).Error; err != nil {
			return nil, err
		}
		for _, sess := range sessions {
			stays, err := sessionStays(db, sess, StayCursor{Session: sess.ID}, limit-len(out))
			if err != nil {
				return nil, err
			}
			out = append(out, stays...)
			if len(out) == limit {
				return out, nil
			}
		}
		if len(sessions) < attendanceSessions {
			break
		}
		at = StayCursor{Session: sessions[len(sessions)-1].ID}
	}
	return out, nil
}

// sessionStays reads up to limit stays of one session after the cursor's
// participant and attendance.
func sessionStays(db *gorm.DB, sess Session, after StayCursor, limit int) ([]Stay, error) {
	var rows []stayRow
	err := db.Table("participants").
		Select("participants.id AS participant_ref, COALESCE(attendances.id, 0) AS attendance_ref, "+
			"participants.participant_id, participants.name, participants.role, "+
			"attendances.joined_at, attendances.left_at, COALESCE(attendances.leave_reason, '') AS leave_reason").
		Joins("LEFT JOIN attendances ON attendances.participant_ref = participants.id").
		Where("participants.meeting_ref = ? AND participants.session_id = ?", sess.MeetingRef, sess.SessionID).
		Where("(participants.id > ? OR (participants.id = ? AND COALESCE(attendances.id, 0) > ?))",
			after.Participant, after.Participant, after.Attendance).
		Order("participants.id, COALESCE(attendances.id, 0)").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Stay, len(rows))
	for i, r := range rows {
		out[i] = Stay{SessionID: sess.SessionID, SessionStartedAt: sess.StartedAt, SessionEndedAt: sess.EndedAt,
			ParticipantID: r.ParticipantID, Name: r.Name, Role: r.Role,
			JoinedAt: r.JoinedAt, LeftAt: r.LeftAt, LeaveReason: r.LeaveReason,
			cursor: StayCursor{Session: sess.ID, Participant: r.ParticipantRef, Attendance: r.AttendanceRef}}
		if r.JoinedAt != nil && r.LeftAt != nil {
			secs := int64(max(r.LeftAt.Sub(*r.JoinedAt), 0).Round(time.Second) / time.Second)
			out[i].Seconds = &secs
		}
	}
	return out, nil
}
