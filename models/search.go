package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// Search finds meetings by any part of their id and participants by any
// part of their name or id, across all meetings, whatever the case. Every
// search is bounded: the text is SearchMinLength to SearchMaxLength
// characters; each kind reads at most SearchCandidates matching rows,
// found through an index (see migrations 0021 and 0023), and shows the newest of
// them; on PostgreSQL a search is cut off after searchTimeout.
//
// How it matches depends on the database:
//
//   - PostgreSQL with pg_trgm: ILIKE through trigram indexes. Three
//     characters or more match anywhere in a name or meeting id; two match
//     their start (a trigram index cannot find two characters in the
//     middle). Participants' ids are matched from their start, through a
//     B-tree on the lower-cased id.
//   - PostgreSQL without pg_trgm (the extension could not be created): the
//     start of names and ids only, through indexes on the lower-cased
//     columns.
//   - SQLite: FTS5 tables with the trigram tokenizer for three characters
//     or more, anywhere; two characters match the start of a name or id
//     among the newest SearchRecentRows rows of each table only.
const (
	SearchMinLength = 2
	SearchMaxLength = 100
	// SearchCandidates is how many matching rows of each kind a search
	// reads at most; the newest of them are shown.
	SearchCandidates = 1000
	// SearchRecentRows bounds a two-character search on SQLite, which has
	// no index for it: only the newest this many meetings and participants
	// are looked at.
	SearchRecentRows = 10000
	// DefaultSearchLimit and MaxSearchLimit bound the hits of each kind.
	DefaultSearchLimit = 20
	MaxSearchLimit     = 100
	searchTimeout      = 2 * time.Second
)

// Where a search looked for its text.
const (
	// MatchAnywhere: the text may be any part of a name or id.
	MatchAnywhere = "anywhere"
	// MatchStart: the text must start a name or id.
	MatchStart = "start"
)

// ErrBadSearch marks a search text that is too short, too long or holds
// control characters; its message says which.
var ErrBadSearch = errors.New("bad search")

// ErrSearchTimeout: the search took longer than it may; more of the text
// narrows it.
var ErrSearchTimeout = errors.New("the search took too long: type more of the name or id")

// SearchResults are what a search found.
type SearchResults struct {
	Query string `json:"query"`
	// Match is MatchAnywhere or MatchStart.
	Match string `json:"match"`
	// StartOnly is set when this database matches the start of names and
	// ids only, whatever the length of the text (PostgreSQL without
	// pg_trgm).
	StartOnly bool `json:"startOnly,omitempty"`
	// ParticipantIDMatch is how participants' ids were matched: as Match,
	// but from their start (MatchStart) on PostgreSQL.
	ParticipantIDMatch string `json:"participantIdMatch"`
	// RecentOnly, when not 0, says only the newest this many rows of each
	// kind were looked at (a two-character search on SQLite).
	RecentOnly   int              `json:"recentOnly,omitempty"`
	Meetings     []MeetingHit     `json:"meetings"`
	Participants []ParticipantHit `json:"participants"`
	// MeetingsFound and ParticipantsFound count the matches read, at most
	// SearchCandidates each (then there may be more).
	MeetingsFound     int `json:"meetingsFound"`
	ParticipantsFound int `json:"participantsFound"`
}

// MeetingHit is a meeting a search found.
type MeetingHit struct {
	ref         uint
	Provider    string    `json:"provider"`
	MeetingID   string    `json:"meetingId"`
	FirstSeenAt time.Time `json:"firstSeenAt"`
	LastEventAt time.Time `json:"lastEventAt"`
	// Live is true when the meeting has a live session now.
	Live bool `json:"live"`
	// Link is the meeting's page.
	Link string `json:"link"`
}

// ParticipantHit is a participant a search found: one person in one
// session of a meeting, with their stays there.
type ParticipantHit struct {
	// Ref is the participant's row, which anchors it on the meeting's page.
	Ref           uint   `json:"-"`
	Provider      string `json:"provider"`
	MeetingID     string `json:"meetingId"`
	SessionID     string `json:"sessionId"`
	ParticipantID string `json:"participantId"`
	Name          string `json:"name"`
	Role          string `json:"role,omitempty"`
	Present       bool   `json:"present"`
	// JoinedAt is their first join, LeftAt their last leave (nil while in
	// the room, or when no time is known); Stays counts their joins.
	FirstSeenAt time.Time  `json:"firstSeenAt"`
	JoinedAt    *time.Time `json:"joinedAt,omitempty"`
	LeftAt      *time.Time `json:"leftAt,omitempty"`
	Stays       int        `json:"stays"`
	// Link is the meeting's page, at the participant's row.
	Link string `json:"link"`
}

// ParticipantAnchor is the element id of a participant's row on its
// meeting's page.
func ParticipantAnchor(ref uint) string { return "participant-" + strconv.FormatUint(uint64(ref), 10) }

// ParseSearch checks a search text and returns it trimmed; an error wraps
// ErrBadSearch and says what is wrong.
func ParseSearch(q string) (string, error) {
	q = strings.TrimSpace(q)
	n := utf8.RuneCountInString(q)
	switch {
	case n < SearchMinLength:
		return "", fmt.Errorf("%w: type at least %d characters", ErrBadSearch, SearchMinLength)
	case n > SearchMaxLength:
		return "", fmt.Errorf("%w: a search is at most %d characters", ErrBadSearch, SearchMaxLength)
	case !utf8.ValidString(q) || strings.IndexFunc(q, unicode.IsControl) >= 0:
		return "", fmt.Errorf("%w: a search cannot hold control characters", ErrBadSearch)
	}
	return q, nil
}

// searchKind is how this database searches.
type searchKind int

const (
	searchTrigram searchKind = iota + 1 // PostgreSQL with pg_trgm's indexes
	searchLower                         // PostgreSQL without: indexes on lower(column)
	searchFTS                           // SQLite's FTS5 trigram tables
)

// searchIndex remembers, once it has been looked up, how the store's
// database searches.
type searchIndex struct {
	mu   sync.Mutex
	kind searchKind
}

// searchKind looks up, once, which indexes migrations 0021 and 0023 could build.
func (s *Store) searchKind(ctx context.Context) (searchKind, error) {
	s.searchIdx.mu.Lock()
	defer s.searchIdx.mu.Unlock()
	if s.searchIdx.kind != 0 {
		return s.searchIdx.kind, nil
	}
	if !isPostgres(s.db) {
		s.searchIdx.kind = searchFTS
		return searchFTS, nil
	}
	var trigram bool
	if err := s.db.WithContext(ctx).Raw("SELECT to_regclass('participant_names_name_trgm') IS NOT NULL").Scan(&trigram).Error; err != nil {
		return 0, err
	}
	s.searchIdx.kind = searchLower
	if trigram {
		s.searchIdx.kind = searchTrigram
	}
	return s.searchIdx.kind, nil
}

// SearchAnywhere reports whether search matches texts of three characters
// or more anywhere in names and ids: false on PostgreSQL without pg_trgm,
// where it matches their start only.
func (s *Store) SearchAnywhere(ctx context.Context) (bool, error) {
	kind, err := s.searchKind(ctx)
	return kind != searchLower, err
}

// Search finds meetings and participants whose id or name holds q (see the
// constants above for how); limit bounds the hits of each kind (0: the
// default, at most MaxSearchLimit). A q that ParseSearch refuses is an
// error wrapping ErrBadSearch.
func (s *Store) Search(ctx context.Context, q string, limit int) (SearchResults, error) {
	q, err := ParseSearch(q)
	if err != nil {
		return SearchResults{}, err
	}
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	limit = min(limit, MaxSearchLimit)
	kind, err := s.searchKind(ctx)
	if err != nil {
		return SearchResults{}, err
	}
	plan := newSearchPlan(kind, q)
	out := SearchResults{Query: q, Match: plan.match, Meetings: []MeetingHit{}, Participants: []ParticipantHit{}}
	if plan.recent {
		out.RecentOnly = SearchRecentRows
	}
	out.StartOnly = kind == searchLower
	out.ParticipantIDMatch = plan.match
	if kind != searchFTS {
		out.ParticipantIDMatch = MatchStart
	}
	run := func(tx *gorm.DB) error {
		if err := plan.meetings(tx, limit, &out); err != nil {
			return err
		}
		return plan.participants(tx, limit, &out)
	}
	db := s.db.WithContext(ctx)
	if isPostgres(db) {
		// The planner takes ILIKE for cheap and would rather scan a table
		// of some thousands of rows than read the index: on 50,000
		// participants that is 24 ms where the index takes 0.6 ms.
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec(fmt.Sprintf("SET LOCAL statement_timeout = %d", searchTimeout.Milliseconds())).Error; err != nil {
				return err
			}
			if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
				return err
			}
			return run(tx)
		})
	} else {
		// SQLite begins every transaction with the write lock: a search
		// reads outside one.
		err = run(db)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "57014" && ctx.Err() == nil {
		return SearchResults{}, ErrSearchTimeout
	}
	if err != nil {
		return SearchResults{}, err
	}
	if err := s.searchDetails(ctx, &out); err != nil {
		return SearchResults{}, err
	}
	return out, nil
}

// searchDetails fills in what the hits show besides the match: which
// meetings are live, and each participant's stays.
func (s *Store) searchDetails(ctx context.Context, out *SearchResults) error {
	db := s.db.WithContext(ctx)
	if len(out.Meetings) > 0 {
		refs := make([]uint, len(out.Meetings))
		for i, m := range out.Meetings {
			refs[i] = m.ref
		}
		var live []uint
		if err := db.Model(&Session{}).Distinct("meeting_ref").
			Where("meeting_ref IN ? AND "+sqlSessionLive+" AND last_event_at >= ?", refs, s.staleCutoff()).
			Pluck("meeting_ref", &live).Error; err != nil {
			return err
		}
		isLive := map[uint]bool{}
		for _, r := range live {
			isLive[r] = true
		}
		for i := range out.Meetings {
			out.Meetings[i].Live = isLive[out.Meetings[i].ref]
		}
	}
	if len(out.Participants) == 0 {
		return nil
	}
	refs := make([]uint, len(out.Participants))
	for i, p := range out.Participants {
		refs[i] = p.Ref
	}
	// The first and last stay by id: aggregates of times come back as
	// text on SQLite, so the two rows are read whole.
	var stays []struct {
		ParticipantRef uint
		First, Last    uint
		Stays          int
	}
	if err := db.Model(&Attendance{}).Select("participant_ref, MIN(id) AS first, MAX(id) AS last, COUNT(*) AS stays").
		Where("participant_ref IN ?", refs).Group("participant_ref").Scan(&stays).Error; err != nil {
		return err
	}
	var ids []uint
	for _, st := range stays {
		ids = append(ids, st.First, st.Last)
	}
	var visits []Attendance
	if err := db.Where("id IN ?", uniq(ids)).Find(&visits).Error; err != nil {
		return err
	}
	byID := map[uint]Attendance{}
	for _, v := range visits {
		byID[v.ID] = v
	}
	byRef := map[uint]int{}
	for i, p := range out.Participants {
		byRef[p.Ref] = i
	}
	for _, st := range stays {
		h := &out.Participants[byRef[st.ParticipantRef]]
		h.Stays = st.Stays
		h.JoinedAt = byID[st.First].JoinedAt
		if !h.Present {
			h.LeftAt = byID[st.Last].LeftAt
		}
	}
	return nil
}
