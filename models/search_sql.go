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
// lower-cased column (participants' ids: see migration 0023).
type searchColumn struct {
	name      string
	fromStart bool
}

// candidates is the SQL of the ids (column id) of at most
// SearchCandidates rows of a table whose columns match the plan's text,
// and its arguments. On PostgreSQL they are read from the table's copy of
// its names (names, with the row's id in ref), which holds the indexes, so
// the table itself is not read for them; on SQLite from the table's FTS5
// match, newest first, or from its newest rows.
func (p searchPlan) candidates(table, names, ref string, columns ...searchColumn) (string, []any) {
	limit := " LIMIT " + strconv.Itoa(SearchCandidates)
	if p.fts != "" {
		// The FTS5 table lists matches in rowid order: the newest first.
		return "SELECT rowid AS id FROM " + table + "_search WHERE " + table + "_search MATCH ? ORDER BY rowid DESC" + limit, []any{p.fts}
	}
	from, id := names+" n", "n."+ref
	if p.kind == searchFTS {
		from, id = table+" n", "n.id"
	}
	var conds []string
	var args []any
	for _, c := range columns {
		if p.kind == searchTrigram && !c.fromStart {
			conds = append(conds, "n."+c.name+` ILIKE ? ESCAPE '\'`)
			args = append(args, p.pattern)
			continue
		}
		conds = append(conds, "lower(n."+c.name+`) LIKE lower(?) ESCAPE '\'`)
		args = append(args, p.prefix)
	}
	where := "(" + strings.Join(conds, " OR ") + ")"
	if p.recent {
		where += " AND n.id > (SELECT COALESCE(MAX(id), 0) FROM " + table + ") - " + strconv.Itoa(SearchRecentRows)
	}
	return "SELECT " + id + " AS id FROM " + from + " WHERE " + where + limit, args
}

// meetings finds the meetings, the most recently active first.
func (p searchPlan) meetings(tx *gorm.DB, limit int, out *SearchResults) error {
	found, args := p.candidates("meetings", "meeting_names", "meeting_ref", searchColumn{name: "meeting_id"})
	var rows []struct {
		ID          uint
		Provider    string
		MeetingID   string
		FirstSeenAt time.Time
		LastEventAt time.Time
		Found       int
	}
	err := tx.Raw("SELECT m.id, m.provider, m.meeting_id, m.first_seen_at, m.last_event_at, c.found "+
		"FROM (SELECT f.id, COUNT(*) OVER () AS found FROM ("+found+") f) c JOIN meetings m ON m.id = c.id "+
		"ORDER BY m.last_event_at DESC, m.id DESC LIMIT ?", append(args, limit)...).Scan(&rows).Error
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

// participants finds the participants, the newest first: the most recently
// added rows, whose ids are the largest, so that only the hits shown are
// read from the participants' table.
func (p searchPlan) participants(tx *gorm.DB, limit int, out *SearchResults) error {
	found, args := p.candidates("participants", "participant_names", "participant_ref",
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
	err := tx.Raw("SELECT t.id, t.session_id, t.participant_id, t.name, t.role, t.present, t.first_seen_at, m.provider, m.meeting_id, c.found "+
		"FROM (SELECT f.id, COUNT(*) OVER () AS found FROM ("+found+") f ORDER BY f.id DESC LIMIT ?) c "+
		"JOIN participants t ON t.id = c.id JOIN meetings m ON m.id = t.meeting_ref ORDER BY t.id DESC", append(args, limit)...).Scan(&rows).Error
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
