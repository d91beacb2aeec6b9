package models

import (
	"time"
)

// Meeting is a provider's room: the thing operators filter by. It outlives
// its sessions.
type Meeting struct {
	ID        uint   `gorm:"primaryKey" json:"-"`
	Provider  string `json:"provider"`
	MeetingID string `json:"meetingId"`
	// URL is where people join the meeting, when a provider gives it.
	URL         string    `json:"url,omitempty"`
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
	// SessionUnconfirmed is a session known only from events that report
	// something ending in it (a participant leaving, a recording stopped, a
	// call step): it may be long over, so it is not shown live, and nobody
	// is known to be in it. Its start, a join, or a job under way in it
	// makes it live; its end ends it.
	SessionUnconfirmed = "unconfirmed"
)

// Session statuses as SQL conditions, written as the partial indexes on
// sessions are: a prepared statement on PostgreSQL can use such an index
// only when the condition is spelled out, not passed as a parameter.
const (
	sqlSessionLive  = "sessions.status = '" + SessionLive + "'"
	sqlSessionEnded = "sessions.status = '" + SessionEnded + "'"
)

// Session is one run of a meeting, from its first participant to its end.
type Session struct {
	ID         uint   `gorm:"primaryKey" json:"-"`
	MeetingRef uint   `json:"-"`
	Provider   string `json:"-"`
	SessionID  string `json:"sessionId"`
	// Status is SessionLive from the first event that says the session is
	// under way (see Event.opensSession) until it ends, SessionUnconfirmed
	// before that, and SessionEnded once it ended.
	Status string `json:"status"`
	// StartedAt and EndedAt are the provider's times, nil when it gave none
	// or an unparseable one; except that an ended session whose end could
	// not be read ends when that news arrived (SessionChange.EndAtArrival).
	StartedAt *time.Time `json:"startedAt,omitempty"`
	EndedAt   *time.Time `json:"endedAt,omitempty"`
	EndReason string     `json:"endReason,omitempty"`
	// Error is the provider's error object (JSON) for a session closed by an
	// error.
	Error       string    `json:"error,omitempty"`
	FirstSeenAt time.Time `json:"firstSeenAt"`
	LastEventAt time.Time `json:"lastEventAt"`
	// ClosedAt orders the recently ended sessions: EndedAt, else when the
	// end was first heard of. Nil while the session is live.
	ClosedAt *time.Time `json:"-"`
}

// LeaveReasonSessionEnded is the leave reason of participants still in the
// room when their session ended.
const LeaveReasonSessionEnded = "session-ended"

// applySession finds or creates the session an event belongs to, applies
// the event's session change if it has one, and moves the session's
// last-event time forward. A session is live once an event opens it (opens:
// see Event.opensSession) and unconfirmed until then. Ending a session
// closes its open attendances.
func applySession(b *batch, m *Meeting, provider, sessionID string, ch *SessionChange, opens bool, at time.Time) (*Session, bool, error) {
	if sessionID != "" {
		if err := namePlaceholder(b, m.ID, sessionID); err != nil {
			return nil, false, err
		}
	}
	s, err := b.session(m.ID, sessionID)
	if err != nil {
		return nil, false, err
	}
	changed := false
	if s == nil {
		s = &cached[Session]{row: Session{MeetingRef: m.ID, SessionID: sessionID}, dirty: true}
		b.addSession(s)
		changed = true
	}
	changed = s.merge(func(s *Session) {
		s.Provider = provider
		fillTime(&s.FirstSeenAt, at)
		fillTime(&s.LastEventAt, at)
		if s.Status == "" {
			s.Status = SessionUnconfirmed
		}
		if opens && s.Status == SessionUnconfirmed {
			s.Status = SessionLive
		}
		if ch != nil && s.StartedAt == nil {
			s.StartedAt = ch.Start
		}
		if ch != nil && ch.Ended {
			s.Status = SessionEnded
			if s.EndedAt == nil {
				s.EndedAt = ch.End
			}
			if s.EndedAt == nil && ch.EndAtArrival {
				end := at
				s.EndedAt = &end
			}
			fill(&s.EndReason, ch.Reason)
			fill(&s.Error, ch.Error)
		}
		s.markClosed(at)
	}) || changed
	if at.After(s.row.LastEventAt) {
		s.row.LastEventAt, s.dirty = at, true
	}
	if s.row.Status == SessionEnded {
		closed, err := closeAttendances(b, m.ID, sessionID, s.row.endTime(at))
		if err != nil {
			return nil, false, err
		}
		changed = changed || closed
	}
	return &s.row, changed, nil
}

// markClosed sets ClosedAt of an ended session: its end time once known,
// else when its end was first heard of (or, for one an older version of
// the dashboard ended, its next event).
func (s *Session) markClosed(at time.Time) {
	switch {
	case s.Status != SessionEnded:
	case s.EndedAt != nil:
		closed := *s.EndedAt
		s.ClosedAt = &closed
	case s.ClosedAt == nil:
		s.ClosedAt = &at
	}
}

// endTime is when the session ended: the provider's time, or at when it
// gave none.
func (s *Session) endTime(at time.Time) time.Time {
	if s.EndedAt != nil {
		return *s.EndedAt
	}
	return at
}

// closeAttendances ends every open attendance of the session, once per
// batch: of the cached participants in memory, and of the others in SQL.
func closeAttendances(b *batch, meetingRef uint, sessionID string, end time.Time) (bool, error) {
	// Once closed, nobody is present in an ended session again (a join
	// into it is closed at once), so a second call in a batch has nothing
	// to do.
	k := sessionKey{meetingRef, sessionID}
	if b.closed[k] {
		return false, nil
	}
	b.closed[k] = true
	closed := b.closeCached(meetingRef, sessionID, end)
	tx := b.tx
	present := tx.Model(&Participant{}).Select("id").
		Where("meeting_ref = ? AND session_id = ? AND present", meetingRef, sessionID)
	res := tx.Model(&Attendance{}).Where("left_at IS NULL AND participant_ref IN (?)", present).
		Updates(map[string]any{"left_at": end, "leave_reason": LeaveReasonSessionEnded})
	if res.Error != nil || res.RowsAffected == 0 {
		return closed, res.Error
	}
	err := tx.Model(&Participant{}).Where("meeting_ref = ? AND session_id = ? AND present", meetingRef, sessionID).
		Update("present", false).Error
	return true, err
}

// currentSession picks the session an event that names none belongs to:
// the meeting's live session; else, for a leave, its newest session, and for
// a join, its newest session if that has not ended or ended no more than a
// minute before the join; else the placeholder session "" (which takes the
// provider's id once an event names the session). A leave that makes the
// placeholder leaves it unconfirmed, not live (see applySession).
func currentSession(b *batch, m *Meeting, ch *ParticipantChange, at time.Time) (string, error) {
	if !b.current[m.ID] {
		if err := b.loadSessions(nil, []uint{m.ID}); err != nil {
			return "", err
		}
	}
	list := b.byMeeting[m.ID]
	if len(list) == 0 {
		return "", nil
	}
	s := &list[len(list)-1].row
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].row.Status == SessionLive {
			s = &list[i].row
			break
		}
	}
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

// namePlaceholder gives a meeting's placeholder session, live or
// unconfirmed, the id an event has just named, with everything recorded
// under it, unless a session with that id exists already.
func namePlaceholder(b *batch, meetingRef uint, sessionID string) error {
	named, err := b.session(meetingRef, sessionID)
	if err != nil || named != nil {
		return err
	}
	s, err := b.session(meetingRef, "")
	if err != nil || s == nil || s.row.Status == SessionEnded {
		return err
	}
	b.renamePlaceholder(s, sessionID)
	for _, table := range []string{"participants", "recordings", "streams", "transcriptions"} {
		if err := b.tx.Table(table).Where("meeting_ref = ? AND session_id = ''", meetingRef).Update("session_id", sessionID).Error; err != nil {
			return err
		}
	}
	return nil
}

// opensSession reports whether the event says the session it belongs to is
// under way: its start, a join, or a recording, stream or transcription at
// a stage short of its end. Leaves, ends, role changes, call steps and
// finished jobs only record against a session: one first seen through
// them is unconfirmed, not live, since they may arrive long after it ended
// (a late retry, or the rest of its events lost).
func (e Event) opensSession() bool {
	switch {
	case e.Session != nil:
		return !e.Session.Ended
	case e.Participant != nil:
		return !e.Participant.Left && !e.Participant.Update
	case e.Recording != nil:
		return e.Recording.Stage.underway()
	case e.Stream != nil:
		return e.Stream.Stage.underway()
	case e.Transcription != nil:
		return e.Transcription.Stage.underway()
	}
	return false
}

// applyMeetingURL gives the meeting the join URL an event carries, unless
// it has one already.
func applyMeetingURL(b *batch, m *Meeting, url string) (bool, error) {
	if url == "" {
		return false, nil
	}
	res := b.tx.Model(&Meeting{}).Where("id = ? AND url = ''", m.ID).Update("url", url)
	return res.RowsAffected > 0, res.Error
}
