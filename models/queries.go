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
	// Totals counts everything stored, including what a limited read
	// left out; Limit is the limit it was read with (0: none).
	Totals MeetingTotals `json:"totals"`
	Limit  int           `json:"limit,omitempty"`
}

// MeetingTotals counts a meeting's rows of each kind.
type MeetingTotals struct {
	Sessions       int `json:"sessions"`
	Participants   int `json:"participants"`
	Recordings     int `json:"recordings"`
	Streams        int `json:"streams"`
	Transcriptions int `json:"transcriptions"`
	Calls          int `json:"calls"`
	Agents         int `json:"agents"`
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
	// Provider, Type and Outcome keep the events of that provider, of
	// that type (exactly) and with that outcome (one of LogOutcomes);
	// From and To the events received from From and before To. Empty or
	// zero keeps all. See filterEvents.
	Provider string
	Type     string
	Outcome  string
	From, To time.Time
}

// ListMeetings returns a page of meetings, most recently active first (or
// as f orders them), with their live sessions and how many participants
// are in each room now.
func (s *Store) ListMeetings(ctx context.Context, f ListFilter) ([]MeetingSummary, error) {
	db := s.db.WithContext(ctx)
	q := listOrder(db.Model(&Meeting{}), "meetings", "meetings.last_event_at", f).Limit(pageSize(f.Limit)).Offset(max(f.Offset, 0))
	q = withPrefix(q, "meeting_id", f.Prefix)
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
	if err := db.Where("meeting_ref IN ? AND "+sqlSessionLive+" AND last_event_at >= ?", refs, s.staleCutoff()).
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

// MeetingDetail returns what is stored about a meeting. With provider
// empty, the most recently active meeting with that id is taken. With limit
// > 0, each list holds only its newest limit rows (a room in use for years
// has thousands of sessions), still oldest first; Totals counts them all.
func (s *Store) MeetingDetail(ctx context.Context, provider, meetingID string, limit int) (*MeetingDetail, error) {
	db := s.db.WithContext(ctx)
	q := db.Where("meeting_id = ?", meetingID)
	if provider != "" {
		q = q.Where("provider = ?", provider)
	}
	d := MeetingDetail{Limit: max(limit, 0)}
	if err := q.Order("last_event_at DESC").Limit(1).Find(&d.Meeting).Error; err != nil {
		return nil, err
	}
	if d.Meeting.ID == 0 {
		return nil, ErrNotFound
	}
	ref := d.Meeting.ID
	steps := func(tx *gorm.DB) *gorm.DB {
		return tx.Preload("Steps", func(tx *gorm.DB) *gorm.DB { return tx.Order("COALESCE(occurred_at, received_at), id") })
	}
	visits := func(tx *gorm.DB) *gorm.DB {
		return tx.Preload("Attendances", func(tx *gorm.DB) *gorm.DB { return tx.Order("id") })
	}
	const seen = "first_seen_at, id"
	t := &d.Totals
	err := errors.Join(
		readNewest(db, ref, limit, "COALESCE(started_at, first_seen_at), id", nil, &d.Sessions, &t.Sessions),
		readNewest(db, ref, limit, seen, visits, &d.Participants, &t.Participants),
		readNewest(db, ref, limit, seen, nil, &d.Recordings, &t.Recordings),
		readNewest(db, ref, limit, seen, nil, &d.Streams, &t.Streams),
		readNewest(db, ref, limit, seen, nil, &d.Transcriptions, &t.Transcriptions),
		readNewest(db, ref, limit, seen, steps, &d.Calls, &t.Calls),
		readNewest(db, ref, limit, seen, nil, &d.Agents, &t.Agents),
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

// readNewest reads a meeting's rows of one kind, sorted by order; with
// limit > 0 only the newest limit of them by arrival (which the index on
// meeting_ref and id finds without reading the others). with adds preloads.
// total counts them all.
func readNewest[T any](db *gorm.DB, ref uint, limit int, order string, with func(*gorm.DB) *gorm.DB, rows *[]T, total *int) error {
	mine := db.Model(new(T)).Where("meeting_ref = ?", ref)
	q := mine
	if limit > 0 {
		q = db.Table("(?) AS newest", mine.Session(&gorm.Session{}).Order("id DESC").Limit(limit))
	}
	if with != nil {
		q = with(q)
	}
	if err := q.Order(order).Find(rows).Error; err != nil {
		return err
	}
	*total = len(*rows)
	if limit <= 0 || *total < limit {
		return nil
	}
	var n int64
	err := mine.Session(&gorm.Session{}).Count(&n).Error
	*total = int(n)
	return err
}

// ListEvents returns a page of the event log, bodies included, each with
// what applying it did (OutcomePending until it is applied).
func (s *Store) ListEvents(ctx context.Context, f EventFilter) ([]RawEvent, error) {
	db := s.db.WithContext(ctx)
	var q *gorm.DB
	if f.Outcome != OutcomePending {
		q = listEvents(db, f)
	} else {
		var pos []struct {
			Xid     string
			EventID uint64
		}
		if err := db.Raw("SELECT " + xidText(db, "xid") + " AS xid, event_id FROM projector_position WHERE id = 1").Scan(&pos).Error; err != nil {
			return nil, err
		}
		if len(pos) == 0 {
			return []RawEvent{}, nil
		}
		q = listPending(db, f, pos[0].Xid, pos[0].EventID)
	}
	events := []RawEvent{}
	return events, q.Find(&events).Error
}

// Event returns one event of the log, with what applying it did.
func (s *Store) Event(ctx context.Context, id uint64) (RawEvent, error) {
	var found []RawEvent
	if err := eventsOf(s.db.WithContext(ctx)).Where("raw_events.id = ?", id).Limit(1).Find(&found).Error; err != nil {
		return RawEvent{}, err
	}
	if len(found) == 0 {
		return RawEvent{}, ErrNotFound
	}
	return found[0], nil
}

// eventsOf reads the event log with each event's outcome.
func eventsOf(db *gorm.DB) *gorm.DB {
	return db.Model(&RawEvent{}).
		Select("raw_events.*, COALESCE(o.outcome, ?) AS outcome, COALESCE(o.detail, raw_events.detail) AS detail", OutcomePending).
		Joins("LEFT JOIN event_outcomes o ON " + outcomeJoin(db))
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

func (s *Store) staleCutoff() time.Time { return time.Now().UTC().Add(-s.staleAfter()) }

// staleAfter is how long a live session may be silent before it shows as
// stale.
func (s *Store) staleAfter() time.Duration {
	if s.opts.StaleAfter <= 0 {
		return DefaultStaleAfter
	}
	return s.opts.StaleAfter
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

// withPrefix keeps the rows of q whose column starts with prefix (an exact
// value matches too); an empty prefix keeps all. The prefix's LIKE
// wildcards are escaped.
func withPrefix(q *gorm.DB, column, prefix string) *gorm.DB {
	if prefix == "" {
		return q
	}
	return q.Where(column+" LIKE ? ESCAPE '\\'", likeEscape(prefix)+"%")
}

// likeEscape escapes LIKE's wildcards and its escape character (a
// backslash, named by ESCAPE '\') in s, so s matches only itself.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// outcomeJoin matches an event's outcome to its log row; on PostgreSQL by
// the arrival time too, so only the one partition of the outcomes that can
// hold it is read.
func outcomeJoin(db *gorm.DB) string {
	if isPostgres(db) {
		return "o.event_id = raw_events.id AND o.received_at = raw_events.received_at"
	}
	return "o.event_id = raw_events.id"
}
