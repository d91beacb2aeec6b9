package models

// The SQL of a search: which table it reads, how it matches, and how the
// hits are read back (see Store.Search).

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// searchPlan is the SQL one search runs, for the database's kind of index.
type searchPlan struct {
	kind    searchKind
	match   string
	recent  bool   // SQLite, two characters: the newest rows only
	pattern string // LIKE pattern, wildcards in q escaped
	prefix  string // LIKE pattern of q at the start
	fts     string // FTS5 query: q as one phrase
}

func newSearchPlan(kind searchKind, q string) searchPlan {
	p := searchPlan{kind: kind, match: MatchAnywhere}
	esc := likeEscaper.Replace(q)
	p.prefix = esc + "%"
	short := utf8.RuneCountInString(q) < 3
	switch {
	case kind == searchLower || short:
		p.match, p.pattern = MatchStart, p.prefix
		p.recent = kind == searchFTS
	case kind == searchTrigram:
		p.pattern = "%" + esc + "%"
	default:
		p.fts = `"` + strings.ReplaceAll(q, `"`, `""`) + `"`
	}
	return p
}

// likeEscaper escapes LIKE's wildcards and its escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// searchColumn is a column a search matches; fromStart columns are
// matched from their start on PostgreSQL, through a B-tree on the
// lower-cased column (participants' ids: see migration 0019).
type searchColumn struct {
	name      string
	fromStart bool
}

// matching is the table, condition and arguments that keep the rows of a
// table (alias t) whose columns match the plan's text. On PostgreSQL the
// columns are read from the table's copy of them (names, joined by ref,
// alias n), which holds the indexes; on SQLite from the table's FTS5 match,
// or from its newest rows.
func (p searchPlan) matching(table, names, ref string, columns ...searchColumn) (from string, where string, args []any) {
	from, col := table+" t", "t."
	if p.kind != searchFTS {
		from, col = names+" n JOIN "+table+" t ON t.id = n."+ref, "n."
	}
	var conds []string
	for _, c := range columns {
		if p.kind == searchTrigram && !c.fromStart {
			conds = append(conds, col+c.name+` ILIKE ? ESCAPE '\'`)
			args = append(args, p.pattern)
			continue
		}
		conds = append(conds, "lower("+col+c.name+`) LIKE lower(?) ESCAPE '\'`)
		args = append(args, p.prefix)
	}
	where = "(" + strings.Join(conds, " OR ") + ")"
	switch {
	case p.fts != "":
		// The FTS5 table lists matches in rowid order: the newest first.
		from = "(SELECT rowid AS id FROM " + table + "_search WHERE " + table + "_search MATCH ? ORDER BY rowid DESC LIMIT " +
			strconv.Itoa(SearchCandidates) + ") f JOIN " + table + " t ON t.id = f.id"
		return from, "1 = 1", []any{p.fts}
	case p.recent:
		where += " AND t.id > (SELECT COALESCE(MAX(id), 0) FROM " + table + ") - " + strconv.Itoa(SearchRecentRows)
	}
	return from, where, args
}

// meetings finds the meetings.
func (p searchPlan) meetings(tx *gorm.DB, limit int, out *SearchResults) error {
	from, where, args := p.matching("meetings", "meeting_names", "meeting_ref", searchColumn{name: "meeting_id"})
	var rows []struct {
		ID          uint
		Provider    string
		MeetingID   string
		FirstSeenAt time.Time
		LastEventAt time.Time
		Found       int
	}
	err := tx.Raw("SELECT c.*, COUNT(*) OVER () AS found FROM (SELECT t.id, t.provider, t.meeting_id, t.first_seen_at, t.last_event_at FROM "+
		from+" WHERE "+where+" LIMIT "+strconv.Itoa(SearchCandidates)+") c ORDER BY c.last_event_at DESC, c.id DESC LIMIT ?",
		append(args, limit)...).Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, r := range rows {
		out.MeetingsFound = r.Found
		out.Meetings = append(out.Meetings, MeetingHit{ref: r.ID, Provider: r.Provider, MeetingID: r.MeetingID,
			FirstSeenAt: r.FirstSeenAt, LastEventAt: r.LastEventAt, Link: meetingLink(r.MeetingID, "")})
	}
	return nil
}

// participants finds the participants.
func (p searchPlan) participants(tx *gorm.DB, limit int, out *SearchResults) error {
	from, where, args := p.matching("participants", "participant_names", "participant_ref",
		searchColumn{name: "name"}, searchColumn{name: "participant_id", fromStart: true})
	var rows []struct {
		ID            uint
		SessionID     string
		ParticipantID string
		Name          string
		Role          string
		Present       bool
		FirstSeenAt   time.Time
		Provider      string
		MeetingID     string
		Found         int
	}
	err := tx.Raw("SELECT c.*, m.provider, m.meeting_id, COUNT(*) OVER () AS found FROM (SELECT t.id, t.meeting_ref, t.session_id, "+
		"t.participant_id, t.name, t.role, t.present, t.first_seen_at FROM "+from+" WHERE "+where+" LIMIT "+strconv.Itoa(SearchCandidates)+
		") c JOIN meetings m ON m.id = c.meeting_ref ORDER BY c.first_seen_at DESC, c.id DESC LIMIT ?", append(args, limit)...).Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, r := range rows {
		out.ParticipantsFound = r.Found
		out.Participants = append(out.Participants, ParticipantHit{Ref: r.ID, Provider: r.Provider, MeetingID: r.MeetingID,
			SessionID: r.SessionID, ParticipantID: r.ParticipantID, Name: r.Name, Role: r.Role, Present: r.Present,
			FirstSeenAt: r.FirstSeenAt, Link: meetingLink(r.MeetingID, ParticipantAnchor(r.ID))})
	}
	return nil
}

// meetingLink is a meeting's page, at an element of it when anchor is set.
func meetingLink(meetingID, anchor string) string {
	link := "/meetings/" + url.PathEscape(meetingID)
	if anchor != "" {
		link += "#" + anchor
	}
	return link
}
