package models

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ErrNotFound is returned for a meeting or event that is not stored.
var ErrNotFound = errors.New("not found")

// DefaultStaleAfter is how long a live session may go without any event
// before it is shown as stale rather than live: a session whose end event
// never came must not stay live forever.
const DefaultStaleAfter = 12 * time.Hour

// MaxPageSize caps list queries.
const MaxPageSize = 500

// MeetingSummary is a meeting as a list row shows it.
type MeetingSummary struct {
	Meeting
	// LiveSessions lists the sessions that are live now.
	LiveSessions []Session `json:"liveSessions"`
	// Present counts participants in the room now.
	Present int `json:"present"`
}

// MeetingDetail is everything stored about one meeting.
type MeetingDetail struct {
	Meeting        Meeting         `json:"meeting"`
	Sessions       []Session       `json:"sessions"`
	Participants   []Participant   `json:"participants"`
	Recordings     []Recording     `json:"recordings"`
	Streams        []Stream        `json:"streams"`
	Transcriptions []Transcription `json:"transcriptions"`
	Calls          []Call          `json:"calls"`
	Agents         []AgentSession  `json:"agents"`
}

// EventFilter selects event log entries, newest first.
type EventFilter struct {
	// Meeting keeps the events of that meeting only.
	Meeting string
	// MeetingPrefix keeps events whose meeting id starts with it.
	MeetingPrefix string
	// BeforeID pages back: only events with a smaller id.
	BeforeID uint64
	Limit    int
}

// ListMeetings returns a page of meetings with their live sessions and how
// many participants are in each room now.
func (s *Store) ListMeetings(ctx context.Context, f ListFilter) ([]MeetingSummary, error) {
	db := s.db.WithContext(ctx)
	q := db.Model(&Meeting{}).Order("last_event_at DESC, id DESC").Limit(pageSize(f.Limit)).Offset(max(f.Offset, 0))
	if f.Prefix != "" {
		q = q.Where("meeting_id LIKE ? ESCAPE '\\'", likePrefix(f.Prefix))
	}
	var meetings []Meeting
	if err := q.Find(&meetings).Error; err != nil {
		return nil, err
	}
	out := make([]MeetingSummary, len(meetings))
	if len(meetings) == 0 {
		return out, nil
	}
	refs := make([]uint, len(meetings))
	index := map[uint]int{}
	for i, m := range meetings {
		refs[i], index[m.ID] = m.ID, i
		out[i] = MeetingSummary{Meeting: m, LiveSessions: []Session{}}
	}
	var live []Session
	if err := db.Where("meeting_ref IN ? AND status = ? AND last_event_at >= ?", refs, SessionLive, s.staleCutoff()).
		Order("id").Find(&live).Error; err != nil {
		return nil, err
	}
	for _, sess := range live {
		i := index[sess.MeetingRef]
		out[i].LiveSessions = append(out[i].LiveSessions, sess)
	}
	var counts []struct {
		MeetingRef uint
		N          int
	}
	if err := db.Model(&Participant{}).Select("meeting_ref, COUNT(*) AS n").
		Where("meeting_ref IN ? AND present", refs).Group("meeting_ref").Scan(&counts).Error; err != nil {
		return nil, err
	}
	for _, c := range counts {
		out[index[c.MeetingRef]].Present = c.N
	}
	return out, nil
}

// MeetingDetail returns everything stored about a meeting. With provider
// empty, the most recently active meeting with that id is taken.
func (s *Store) MeetingDetail(ctx context.Context, provider, meetingID string) (*MeetingDetail, error) {
	db := s.db.WithContext(ctx)
	q := db.Where("meeting_id = ?", meetingID)
	if provider != "" {
		q = q.Where("provider = ?", provider)
	}
	var d MeetingDetail
	if err := q.Order("last_event_at DESC").Limit(1).Find(&d.Meeting).Error; err != nil {
		return nil, err
	}
	if d.Meeting.ID == 0 {
		return nil, ErrNotFound
	}
	ref := d.Meeting.ID
	steps := func(tx *gorm.DB) *gorm.DB { return tx.Order("COALESCE(occurred_at, received_at), id") }
	visits := func(tx *gorm.DB) *gorm.DB { return tx.Order("id") }
	err := errors.Join(
		db.Where("meeting_ref = ?", ref).Order("COALESCE(started_at, first_seen_at), id").Find(&d.Sessions).Error,
		db.Where("meeting_ref = ?", ref).Preload("Attendances", visits).Order("first_seen_at, id").Find(&d.Participants).Error,
		db.Where("meeting_ref = ?", ref).Order("first_seen_at, id").Find(&d.Recordings).Error,
		db.Where("meeting_ref = ?", ref).Order("first_seen_at, id").Find(&d.Streams).Error,
		db.Where("meeting_ref = ?", ref).Order("first_seen_at, id").Find(&d.Transcriptions).Error,
		db.Where("meeting_ref = ?", ref).Preload("Steps", steps).Order("first_seen_at, id").Find(&d.Calls).Error,
		db.Where("meeting_ref = ?", ref).Order("first_seen_at, id").Find(&d.Agents).Error,
	)
	if err != nil {
		return nil, err
	}
	cutoff := s.staleCutoff()
	for i := range d.Sessions {
		d.Sessions[i].markStale(cutoff)
	}
	return &d, nil
}

// ListEvents returns a page of the event log, bodies included.
func (s *Store) ListEvents(ctx context.Context, f EventFilter) ([]RawEvent, error) {
	q := s.db.WithContext(ctx).Order("id DESC").Limit(pageSize(f.Limit))
	if f.Meeting != "" {
		q = q.Where("meeting_id = ?", f.Meeting)
	}
	if f.MeetingPrefix != "" {
		q = q.Where("meeting_id LIKE ? ESCAPE '\\'", likePrefix(f.MeetingPrefix))
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	events := []RawEvent{}
	return events, q.Find(&events).Error
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

func (s *Store) staleCutoff() time.Time {
	after := s.opts.StaleAfter
	if after <= 0 {
		after = DefaultStaleAfter
	}
	return time.Now().UTC().Add(-after)
}

// markStale shows a live session that has been silent past cutoff as
// stale.
func (s *Session) markStale(cutoff time.Time) {
	if s.Status == SessionLive && s.LastEventAt.Before(cutoff) {
		s.Status = SessionStale
	}
}

func pageSize(n int) int {
	if n <= 0 {
		return 50
	}
	return min(n, MaxPageSize)
}

// likePrefix turns a prefix into a LIKE pattern, escaping its wildcards.
func likePrefix(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(p) + "%"
}
