package models

import (
	"time"

	"gorm.io/gorm"
)

// Meeting is a provider's room: the thing operators filter by. It outlives
// its sessions.
type Meeting struct {
	ID          uint      `gorm:"primaryKey" json:"-"`
	Provider    string    `json:"provider"`
	MeetingID   string    `json:"meetingId"`
	FirstSeenAt time.Time `json:"firstSeenAt"`
	LastEventAt time.Time `json:"lastEventAt"`
}

// Session status values.
const (
	SessionLive  = "live"
	SessionEnded = "ended"
	// SessionStale is shown, never stored, for a live session that has had
	// no event for longer than the store's StaleAfter.
	SessionStale = "stale"
)

// Session is one run of a meeting, from its first participant to its end.
type Session struct {
	ID         uint   `gorm:"primaryKey" json:"-"`
	MeetingRef uint   `json:"-"`
	Provider   string `json:"-"`
	SessionID  string `json:"sessionId"`
	// Status is SessionLive until the session ends; a session first seen
	// through any other event of it counts as live.
	Status string `json:"status"`
	// StartedAt and EndedAt are the provider's times, nil when it gave none
	// or an unparseable one.
	StartedAt *time.Time `json:"startedAt,omitempty"`
	EndedAt   *time.Time `json:"endedAt,omitempty"`
	EndReason string     `json:"endReason,omitempty"`
	// Error is the provider's error object (JSON) for a session closed by an
	// error.
	Error       string    `json:"error,omitempty"`
	FirstSeenAt time.Time `json:"firstSeenAt"`
	LastEventAt time.Time `json:"lastEventAt"`
}

// LeaveReasonSessionEnded is the leave reason of participants still in the
// room when their session ended.
const LeaveReasonSessionEnded = "session-ended"

// applySession finds or creates the session an event belongs to, applies
// the event's session change if it has one, and moves the session's
// last-event time forward. Ending a session closes its open attendances.
func applySession(tx *gorm.DB, m *Meeting, provider, sessionID string, ch *SessionChange, at time.Time) (*Session, bool, error) {
	if sessionID != "" {
		if err := namePlaceholder(tx, m.ID, sessionID); err != nil {
			return nil, false, err
		}
	}
	key := Session{MeetingRef: m.ID, SessionID: sessionID}
	s, changed, err := upsertRow(tx, key, []string{"meeting_ref", "session_id"}, func(s *Session) {
		s.Provider = provider
		fillTime(&s.FirstSeenAt, at)
		fillTime(&s.LastEventAt, at)
		if s.Status == "" {
			s.Status = SessionLive
		}
		if ch == nil {
			return
		}
		if s.StartedAt == nil {
			s.StartedAt = ch.Start
		}
		if ch.Ended {
			s.Status = SessionEnded
			if s.EndedAt == nil {
				s.EndedAt = ch.End
			}
			fill(&s.EndReason, ch.Reason)
			fill(&s.Error, ch.Error)
		}
	})
	if err != nil {
		return nil, false, err
	}
	if at.After(s.LastEventAt) {
		s.LastEventAt = at
		if err := tx.Model(&Session{}).Where("id = ?", s.ID).Update("last_event_at", at).Error; err != nil {
			return nil, false, err
		}
	}
	if s.Status == SessionEnded {
		closed, err := closeAttendances(tx, m.ID, sessionID, s.endTime(at))
		if err != nil {
			return nil, false, err
		}
		changed = changed || closed
	}
	return &s, changed, nil
}

// endTime is when the session ended: the provider's time, or at when it
// gave none.
func (s *Session) endTime(at time.Time) time.Time {
	if s.EndedAt != nil {
		return *s.EndedAt
	}
	return at
}

// closeAttendances ends every open attendance of the session.
func closeAttendances(tx *gorm.DB, meetingRef uint, sessionID string, end time.Time) (bool, error) {
	present := tx.Model(&Participant{}).Select("id").
		Where("meeting_ref = ? AND session_id = ? AND present", meetingRef, sessionID)
	res := tx.Model(&Attendance{}).Where("left_at IS NULL AND participant_ref IN (?)", present).
		Updates(map[string]any{"left_at": end, "leave_reason": LeaveReasonSessionEnded})
	if res.Error != nil || res.RowsAffected == 0 {
		return false, res.Error
	}
	err := tx.Model(&Participant{}).Where("meeting_ref = ? AND session_id = ? AND present", meetingRef, sessionID).
		Update("present", false).Error
	return true, err
}

// currentSession picks the session an event that names none belongs to:
// the meeting's live session; else, for a leave, its newest session, and for
// a join, its newest session if that ended no more than a minute before the
// join; else the placeholder session "" (which takes the provider's id once
// an event names the session).
func currentSession(tx *gorm.DB, m *Meeting, ch *ParticipantChange, at time.Time) (string, error) {
	var newest []Session
	err := tx.Where("meeting_ref = ?", m.ID).Order("CASE WHEN status = 'live' THEN 0 ELSE 1 END, id DESC").
		Limit(1).Find(&newest).Error
	if err != nil || len(newest) == 0 {
		return "", err
	}
	s := newest[0]
	when := at
	if ch.At != nil {
		when = *ch.At
	}
	switch {
	case s.Status == SessionLive, ch.Left || ch.Update:
		return s.SessionID, nil
	case s.EndedAt == nil || !when.After(s.EndedAt.Add(time.Minute)):
		return s.SessionID, nil
	}
	return "", nil
}

// namePlaceholder gives a meeting's live placeholder session the id an
// event has just named, with everything recorded under it, unless a session
// with that id exists already.
func namePlaceholder(tx *gorm.DB, meetingRef uint, sessionID string) error {
	var ids []uint
	err := tx.Model(&Session{}).Where("meeting_ref = ? AND session_id IN ?", meetingRef, []string{"", sessionID}).
		Order("id").Pluck("id", &ids).Error
	if err != nil || len(ids) != 1 {
		return err
	}
	res := tx.Model(&Session{}).Where("id = ? AND session_id = '' AND status = ?", ids[0], SessionLive).Update("session_id", sessionID)
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error
	}
	for _, table := range []string{"participants", "recordings", "streams", "transcriptions"} {
		if err := tx.Table(table).Where("meeting_ref = ? AND session_id = ''", meetingRef).Update("session_id", sessionID).Error; err != nil {
			return err
		}
	}
	return nil
}
