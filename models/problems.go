package models

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ProblemKind names a kind of row of the problems view.
type ProblemKind string

// The kinds of problem, each read by its source in problemSources.
const (
	ProblemRecording     ProblemKind = "recording-failed"
	ProblemStream        ProblemKind = "stream-failed"
	ProblemTranscription ProblemKind = "transcription-failed"
	ProblemAgent         ProblemKind = "agent-failed"
	ProblemCall          ProblemKind = "call-failed"
	ProblemStaleRoom     ProblemKind = "stale-room"
	ProblemNoLeave       ProblemKind = "no-leave"
)

// Problem is one thing that went wrong, as the problems view lists it.
type Problem struct {
	// At is when the dashboard learned of it, by its own clock: the
	// arrival of a failed job's last change or of a failed call step, the
	// moment a silent session turned stale, the last event of a session
	// that ended with people in the room.
	At   time.Time   `json:"at"`
	Kind ProblemKind `json:"kind"`
	// What names the thing in words: "composite merge", "HLS stream",
	// "call +1 → +2".
	What      string `json:"what"`
	Provider  string `json:"provider"`
	MeetingID string `json:"meetingId,omitempty"`
	SessionID string `json:"sessionId,omitempty"`
	// Reason is the provider's message, or what the dashboard saw.
	Reason string `json:"reason"`
	// Link is the dashboard page, and the part of it, that shows the thing.
	Link string `json:"link,omitempty"`
	// Ref is the thing's row in its kind's table: with At and Kind, it
	// orders problems and makes the cursor of a page.
	Ref  uint64 `json:"-"`
	rank int
}

// ProblemFilter selects problems, newest first.
type ProblemFilter struct {
	// Prefix keeps the problems of meetings whose id starts with it.
	Prefix string
	// Before keeps the problems after the cursor in the view's order (the
	// next page); nil starts at the newest.
	Before *ProblemCursor
	// Since keeps the problems at or after it; zero keeps all.
	Since time.Time
	// Kinds keeps the problems of these kinds; empty keeps every kind.
	Kinds []ProblemKind
	Limit int
}

// failureProblems are the kinds of problem that are a job or call failing,
// as the board's counter of failures counts them.
func failureProblems() []ProblemKind {
	return []ProblemKind{ProblemRecording, ProblemStream, ProblemTranscription, ProblemAgent, ProblemCall}
}

// problemSource reads the newest problems of one kind, in the view's
// order: the filter's page of them, at most limit. rank is the kind's
// place in problemSources, which orders problems of the same time.
type problemSource struct {
	kind ProblemKind
	read func(s *Store, ctx context.Context, w problemWindow) ([]Problem, error)
}

// problemSources lists every kind of problem. Adding a kind of problem is
// adding its source here (and its kind above): the store merges them, the
// cursor, the API and the page take it from there.
func problemSources() []problemSource {
	return []problemSource{
		{ProblemRecording, (*Store).failedRecordings},
		{ProblemStream, (*Store).failedStreams},
		{ProblemTranscription, (*Store).failedTranscriptions},
		{ProblemAgent, (*Store).failedAgents},
		{ProblemCall, (*Store).failedCallSteps},
		{ProblemStaleRoom, (*Store).staleRooms},
		{ProblemNoLeave, (*Store).sessionsWithoutLeaves},
		{ProblemRefused, (*Store).refusedDeliveries},
	}
}

// problemRank is a kind's place in problemSources, -1 for none.
func problemRank(k ProblemKind) int {
	return slices.IndexFunc(problemSources(), func(s problemSource) bool { return s.kind == k })
}

// Problems returns the newest problems of every kind, newest first, at
// most f.Limit (50 by default, at most MaxPageSize). Each kind is read
// through an index of its own, newest first and at most the limit, and the
// kinds merged: the cost is the limit's, however many problems are stored.
func (s *Store) Problems(ctx context.Context, f ProblemFilter) ([]Problem, error) {
	limit := pageSize(f.Limit)
	out := []Problem{}
	for rank, src := range problemSources() {
		if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, src.kind) {
			continue
		}
		rows, err := src.read(s, ctx, problemWindow{f: f, rank: rank, limit: limit})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src.kind, err)
		}
		for i := range rows {
			rows[i].Kind, rows[i].rank = src.kind, rank
		}
		out = append(out, rows...)
	}
	slices.SortFunc(out, func(a, b Problem) int {
		if n := b.At.Compare(a.At); n != 0 {
			return n
		}
		if a.rank != b.rank {
			return cmp.Compare(a.rank, b.rank)
		}
		return cmp.Compare(b.Ref, a.Ref)
	})
	return out[:min(len(out), limit)], nil
}

// ProblemCursor is a place in the problems view's order: newest first,
// then by kind (in problemSources' order), then newest row first.
type ProblemCursor struct {
	At   time.Time
	Kind ProblemKind
	Ref  uint64
}

// Cursor is the place of p, from which the next page starts.
func (p Problem) Cursor() ProblemCursor { return ProblemCursor{At: p.At, Kind: p.Kind, Ref: p.Ref} }

// String writes the cursor as it goes in a URL: nanoseconds since 1970,
// the kind and the row, e.g. "1717000000123456789.recording-failed.42".
func (c ProblemCursor) String() string {
	return strconv.FormatInt(c.At.UnixNano(), 10) + "." + string(c.Kind) + "." + strconv.FormatUint(c.Ref, 10)
}

// ParseProblemCursor reads a cursor String wrote.
func ParseProblemCursor(s string) (ProblemCursor, error) {
	bad := fmt.Errorf("a problems cursor is a time, a kind and a row as the Older link gives it, got %.80q", s)
	at, rest, ok1 := strings.Cut(s, ".")
	kind, ref, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 {
		return ProblemCursor{}, bad
	}
	nanos, err1 := strconv.ParseInt(at, 10, 64)
	row, err2 := strconv.ParseUint(ref, 10, 64)
	if err1 != nil || err2 != nil || problemRank(ProblemKind(kind)) < 0 {
		return ProblemCursor{}, bad
	}
	return ProblemCursor{At: time.Unix(0, nanos).UTC(), Kind: ProblemKind(kind), Ref: row}, nil
}

// problemWindow is what one source reads: the filter's page of its kind.
type problemWindow struct {
	f     ProblemFilter
	rank  int
	limit int
}

// apply narrows q, a query of one kind's rows whose problem time is the
// column at plus shift, ordered by that column and the row id ref, to the
// window: the meetings of the prefix (meetingID is the meeting id column),
// the rows after the cursor, since the filter's start, newest first and at
// most the limit.
func (w problemWindow) apply(q *gorm.DB, at, ref, meetingID string, shift time.Duration) *gorm.DB {
	q = withPrefix(q, meetingID, w.f.Prefix)
	if !w.f.Since.IsZero() {
		q = q.Where(at+" >= ?", w.f.Since.Add(-shift))
	}
	if c := w.f.Before; c != nil {
		cut := c.At.Add(-shift)
		switch rank := problemRank(c.Kind); {
		case w.rank > rank: // this kind comes after the cursor's at the same time
			q = q.Where(at+" <= ?", cut)
		case w.rank == rank:
			q = q.Where("("+at+" < ? OR ("+at+" = ? AND "+ref+" < ?))", cut, cut, c.Ref)
		default:
			q = q.Where(at+" < ?", cut)
		}
	}
	return q.Order(at + " DESC, " + ref + " DESC").Limit(w.limit)
}

// meetingSection is the link to a part of a meeting's page.
func meetingSection(meetingID, section string) string {
	if meetingID == "" {
		return ""
	}
	return "/meetings/" + url.PathEscape(meetingID) + "#meeting-" + section
}

// noReason stands for the reason of a failure the provider gave none for.
const noReason = "the provider gave no reason"

func reasonOr(message string) string {
	if message == "" {
		return noReason
	}
	return message
}

// failedJob is a failed recording, stream, transcription or agent session
// as its source reads it.
type failedJob struct {
	Ref       uint64
	At        time.Time
	Provider  string
	Kind      string
	Message   string
	SessionID string
	MeetingID string
	// Who is the participant (recordings) or the agent (agent sessions).
	Who   string
	Track string
}

// failedJobs reads the failed rows of a job table, most recently changed
// first, through its (status, updated_at, id) index. more selects the
// session id, who and track columns.
func (s *Store) failedJobs(ctx context.Context, w problemWindow, table, more string) ([]failedJob, error) {
	q := s.db.WithContext(ctx).Table(table).
		Select(table+".id AS ref, "+table+".updated_at AS at, "+table+".provider, "+table+".kind, "+table+".message, "+
			"COALESCE(meetings.meeting_id, '') AS meeting_id, "+more).
		Joins("LEFT JOIN meetings ON meetings.id = "+table+".meeting_ref").
		Where(table+".status = ?", StageFailed)
	var rows []failedJob
	return rows, w.apply(q, table+".updated_at", table+".id", "meetings.meeting_id", 0).Scan(&rows).Error
}

// failedRecordings reads the failed recordings of every kind, composite
// merges included.
func (s *Store) failedRecordings(ctx context.Context, w problemWindow) ([]Problem, error) {
	rows, err := s.failedJobs(ctx, w, "recordings", "recordings.session_id, recordings.participant_id AS who, recordings.track_kind AS track")
	out := make([]Problem, len(rows))
	for i, r := range rows {
		what := recordingWhat(RecordingKind(r.Kind))
		if r.Who != "" {
			what += " of " + strings.TrimSpace(r.Who+" "+r.Track)
		}
		out[i] = Problem{At: r.At, What: what, Provider: r.Provider, MeetingID: r.MeetingID, SessionID: r.SessionID,
			Reason: reasonOr(r.Message), Link: meetingSection(r.MeetingID, "recordings"), Ref: r.Ref}
		if r.MeetingID == "" {
			out[i].Link = "/recordings?status=failed"
		}
	}
	return out, err
}

// recordingWhat names a kind of recording.
func recordingWhat(k RecordingKind) string {
	switch k {
	case RecordingMeeting:
		return "recording"
	case RecordingCompositeMerge:
		return "composite merge"
	case RecordingMerge:
		return "recording merge"
	}
	return strings.ReplaceAll(string(k), "-", " ") + " recording"
}

// failedStreams reads the failed HLS streams and livestreams.
func (s *Store) failedStreams(ctx context.Context, w problemWindow) ([]Problem, error) {
	rows, err := s.failedJobs(ctx, w, "streams", "streams.session_id, '' AS who, '' AS track")
	out := make([]Problem, len(rows))
	for i, r := range rows {
		what := string(r.Kind)
		if StreamKind(r.Kind) == StreamHLS {
			what = "HLS stream"
		}
		out[i] = Problem{At: r.At, What: what, Provider: r.Provider, MeetingID: r.MeetingID, SessionID: r.SessionID,
			Reason: reasonOr(r.Message), Link: meetingSection(r.MeetingID, "streams"), Ref: r.Ref}
		if r.MeetingID == "" {
			out[i].Link = "/streams?status=failed"
		}
	}
	return out, err
}

// failedTranscriptions reads the failed transcriptions and translations.
func (s *Store) failedTranscriptions(ctx context.Context, w problemWindow) ([]Problem, error) {
	rows, err := s.failedJobs(ctx, w, "transcriptions", "transcriptions.session_id, '' AS who, '' AS track")
	out := make([]Problem, len(rows))
	for i, r := range rows {
		out[i] = Problem{At: r.At, What: r.Kind, Provider: r.Provider, MeetingID: r.MeetingID, SessionID: r.SessionID,
			Reason: reasonOr(r.Message), Link: meetingSection(r.MeetingID, "transcriptions"), Ref: r.Ref}
	}
	return out, err
}

// failedAgents reads the failed agent sessions and AI deployments.
func (s *Store) failedAgents(ctx context.Context, w problemWindow) ([]Problem, error) {
	rows, err := s.failedJobs(ctx, w, "agent_sessions", "'' AS session_id, agent_sessions.agent_id AS who, '' AS track")
	out := make([]Problem, len(rows))
	for i, r := range rows {
		what := strings.ReplaceAll(r.Kind, "-", " ")
		if r.Who != "" {
			what += " of agent " + r.Who
		}
		out[i] = Problem{At: r.At, What: what, Provider: r.Provider, MeetingID: r.MeetingID,
			Reason: reasonOr(r.Message), Link: meetingSection(r.MeetingID, "agents"), Ref: r.Ref}
	}
	return out, err
}

// failedCallSteps reads the call steps whose status is a failure (see
// sqlCallStepFailed), newest first by arrival, through the partial index
// on them: each is a problem, whatever the call's later steps.
func (s *Store) failedCallSteps(ctx context.Context, w problemWindow) ([]Problem, error) {
	q := s.db.WithContext(ctx).Table("call_steps").
		Select("call_steps.id AS ref, call_steps.received_at AS at, call_steps.step, call_steps.status, call_steps.detail, " +
			"calls.provider, calls.call_id, calls.\"from\" AS caller, calls.\"to\" AS callee, COALESCE(meetings.meeting_id, '') AS meeting_id").
		Joins("JOIN calls ON calls.id = call_steps.call_ref").
		Joins("LEFT JOIN meetings ON meetings.id = calls.meeting_ref").
		Where(sqlCallStepFailed)
	var rows []struct {
		Ref                                         uint64
		At                                          time.Time
		Step, Status, Detail                        string
		Provider, CallID, Caller, Callee, MeetingID string
	}
	if err := w.apply(q, "call_steps.received_at", "call_steps.id", "meetings.meeting_id", 0).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Problem, len(rows))
	for i, r := range rows {
		what := "call " + r.CallID
		if r.Caller != "" || r.Callee != "" {
			what = "call " + r.Caller + " → " + r.Callee
		}
		reason := r.Step + ": " + r.Status
		if r.Detail != "" {
			reason += ": " + r.Detail
		}
		out[i] = Problem{At: r.At, What: what, Provider: r.Provider, MeetingID: r.MeetingID,
			Reason: reason, Link: meetingSection(r.MeetingID, "calls"), Ref: r.Ref}
		if r.MeetingID == "" {
			out[i].Link = "/calls?status=" + CallFailed
		}
	}
	return out, nil
}

// staleRooms reads the live sessions that have had no event for the
// store's StaleAfter, as the live-rooms page shows them (see
// RecentSessions): each became a problem when it turned stale, its last
// event plus StaleAfter.
func (s *Store) staleRooms(ctx context.Context, w problemWindow) ([]Problem, error) {
	after := s.staleAfter()
	q := s.db.WithContext(ctx).Table("sessions").
		Select("sessions.id AS ref, sessions.last_event_at AS last, sessions.provider, sessions.session_id, meetings.meeting_id").
		Joins("JOIN meetings ON meetings.id = sessions.meeting_ref").
		Where(sqlSessionLive+" AND sessions.last_event_at < ?", s.staleCutoff())
	var rows []struct {
		Ref                            uint64
		Last                           time.Time
		Provider, SessionID, MeetingID string
	}
	if err := w.apply(q, "sessions.last_event_at", "sessions.id", "meetings.meeting_id", after).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Problem, len(rows))
	for i, r := range rows {
		out[i] = Problem{At: r.Last.Add(after), What: "session " + r.SessionID, Provider: r.Provider, MeetingID: r.MeetingID, SessionID: r.SessionID,
			Reason: "live, but no event for " + roundDuration(after) + ": its end may have been lost",
			Link:   meetingSection(r.MeetingID, "sessions"), Ref: r.Ref}
	}
	return out, nil
}

// noLeaveNames is how many of the people a session-without-leaves problem
// names.
const noLeaveNames = 3

// sessionsWithoutLeaves reads the ended sessions whose end closed someone's
// stay (leave reason session-ended): their participant-left never came,
// so the room showed them in it until the end. A leave that arrives after
// the end gives the stay its own reason, and the problem goes. The stays
// are found through the partial index on them (migration 0014), and the
// sessions ordered by their last event.
func (s *Store) sessionsWithoutLeaves(ctx context.Context, w problemWindow) ([]Problem, error) {
	db := s.db.WithContext(ctx)
	closed := func(q *gorm.DB) *gorm.DB {
		return q.Joins("JOIN participants ON participants.id = attendances.participant_ref").
			Joins("JOIN sessions ON sessions.meeting_ref = participants.meeting_ref AND sessions.session_id = participants.session_id").
			Where(sqlClosedBySessionEnd + " AND " + sqlSessionEnded)
	}
	q := closed(db.Table("attendances")).
		Select("sessions.id AS ref, sessions.last_event_at AS at, sessions.meeting_ref, sessions.provider, sessions.session_id, " +
			"meetings.meeting_id, COUNT(DISTINCT participants.id) AS people").
		Joins("JOIN meetings ON meetings.id = sessions.meeting_ref").
		Group("sessions.id, sessions.last_event_at, sessions.meeting_ref, sessions.provider, sessions.session_id, meetings.meeting_id")
	var rows []struct {
		Ref                            uint64
		At                             time.Time
		MeetingRef                     uint
		Provider, SessionID, MeetingID string
		People                         int
	}
	if err := w.apply(q, "sessions.last_event_at", "sessions.id", "meetings.meeting_id", 0).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	// The first few people of each, by arrival.
	refs := make([]uint, len(rows))
	ids := make([]string, len(rows))
	for i, r := range rows {
		refs[i], ids[i] = r.MeetingRef, r.SessionID
	}
	named := closed(db.Table("attendances")).
		Select("participants.meeting_ref, participants.session_id, participants.name, participants.participant_id, "+
			"ROW_NUMBER() OVER (PARTITION BY participants.meeting_ref, participants.session_id ORDER BY participants.first_seen_at, participants.id) AS nth").
		Where("participants.meeting_ref IN ? AND participants.session_id IN ?", refs, ids)
	var people []struct {
		MeetingRef                     uint
		SessionID, Name, ParticipantID string
	}
	if err := db.Table("(?) AS p", named).Where("nth <= ?", noLeaveNames).Order("nth").Scan(&people).Error; err != nil {
		return nil, err
	}
	out := make([]Problem, len(rows))
	for i, r := range rows {
		var names []string
		for _, p := range people {
			if p.MeetingRef == r.MeetingRef && p.SessionID == r.SessionID {
				names = append(names, cmp.Or(p.Name, p.ParticipantID))
			}
		}
		if r.People > len(names) {
			names = append(names, fmt.Sprintf("%d more", r.People-len(names)))
		}
		out[i] = Problem{At: r.At, What: "session " + r.SessionID, Provider: r.Provider, MeetingID: r.MeetingID, SessionID: r.SessionID,
			Reason: fmt.Sprintf("ended with %s still in the room, whose leave never came: %s", plural(r.People, "person", "people"), strings.Join(names, ", ")),
			Link:   meetingSection(r.MeetingID, "participants"), Ref: r.Ref}
	}
	return out, nil
}

// sqlClosedBySessionEnd is a stay its session's end closed, spelled as the
// partial index attendances_session_ended is (migration 0014).
const sqlClosedBySessionEnd = "attendances.leave_reason = '" + LeaveReasonSessionEnded + "'"

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// roundDuration writes a duration in whole seconds (from a second) and
// without its zero parts: 12h, 1h30m, 45s.
func roundDuration(d time.Duration) string {
	if d >= time.Second {
		d = d.Round(time.Second)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
