package models

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"
)

// RoomPeople is how many of the people in a room LiveRooms names: a
// webinar's card would otherwise list thousands, read and pushed again at
// every join.
const RoomPeople = 50

// Room is a live session as the live-rooms page shows it: who is in it and
// the latest state of each kind of job running for it.
type Room struct {
	Meeting Meeting
	Session Session
	// Present names the first RoomPeople people in the room to arrive;
	// InRoom counts them all.
	Present       []Participant
	InRoom        int
	Recording     *Recording
	HLS           *Stream
	Livestream    *Stream
	Transcription *Transcription
	Agent         *AgentSession
}

// SessionRow is a session with its meeting, for lists of sessions.
type SessionRow struct {
	Session
	MeetingID string
	// Participants counts everyone who was in the session.
	Participants int
}

// RoomsPerPage is how many rooms a page of the live-rooms board shows.
const RoomsPerPage = MaxPageSize

// LiveBoard is one page of the live rooms whose meeting id starts with a
// prefix, and how many there are in all.
type LiveBoard struct {
	// Rooms are the page's rooms, longest running first.
	Rooms []Room
	// Live counts every live room the prefix matches, on any page.
	Live int
	// Page is the page shown, from 1. Before counts the live rooms on the
	// pages before it (more recently active), After those on the pages
	// after it (less recently active).
	Page   int
	Before int
	After  int
}

// LiveRooms returns a page of the live sessions whose meeting id starts
// with prefix. Pages hold RoomsPerPage rooms, chosen by their latest event,
// the most recently active on the first: a flood of sessions that were
// started and then went quiet (webhooks anyone can send, with any start
// time) cannot push a room in use off the first page, and the count and
// the later pages show the rooms it leaves out. Within a page the rooms are
// shown longest running first, as before, so cards do not move at every
// event.
//
// The sessions are read through the partial index on live sessions
// (migration 0006) and the newest by last_event_at picked from them:
// indexing last_event_at would make every event's update of its session
// write an index again (no HOT update on PostgreSQL), which 0006 undid.
func (s *Store) LiveRooms(ctx context.Context, prefix string, page int) (LiveBoard, error) {
	page = max(page, 1)
	db := s.db.WithContext(ctx)
	cutoff := s.staleCutoff()
	live := func() *gorm.DB {
		q := db.Table("sessions").Where(sqlSessionLive+" AND sessions.last_event_at >= ?", cutoff)
		if prefix == "" {
			return q // every session has its meeting: no join needed
		}
		return withPrefix(q.Joins("JOIN meetings ON meetings.id = sessions.meeting_ref"), "meetings.meeting_id", prefix)
	}
	offset := (page - 1) * RoomsPerPage
	chosen := live().Select("sessions.*").Order("sessions.last_event_at DESC, sessions.id DESC").Limit(RoomsPerPage).Offset(offset)
	var sessions []Session
	if err := db.Table("(?) AS sessions", chosen).Order("COALESCE(sessions.started_at, sessions.first_seen_at), sessions.id").
		Find(&sessions).Error; err != nil {
		return LiveBoard{}, err
	}
	// A page that is neither full nor past the end holds the last rooms, so
	// the count is known; otherwise it is counted. The count comes a
	// statement later: a room that ended in between does not make it less
	// than the page shows.
	board := LiveBoard{Page: page}
	if len(sessions) > 0 {
		board.Live = offset + len(sessions)
	}
	if len(sessions) == RoomsPerPage || (len(sessions) == 0 && offset > 0) {
		var n int64
		if err := live().Count(&n).Error; err != nil {
			return LiveBoard{}, err
		}
		board.Live = max(int(n), board.Live)
	}
	board.Before = min(offset, board.Live)
	board.After = board.Live - board.Before - len(sessions)
	rooms, err := s.roomsOf(ctx, sessions)
	board.Rooms = rooms
	return board, err
}

// roomsOf fills in, for each live session, its meeting, who is in the room
// and the latest state of each kind of job, keeping the sessions' order.
func (s *Store) roomsOf(ctx context.Context, sessions []Session) ([]Room, error) {
	db := s.db.WithContext(ctx)
	rooms := make([]Room, len(sessions))
	if len(sessions) == 0 {
		return rooms, nil
	}
	refs := make([]uint, len(sessions))
	for i, sess := range sessions {
		refs[i] = sess.MeetingRef
		rooms[i].Session = sess
	}
	var (
		meetings       []Meeting
		recordings     []Recording
		streams        []Stream
		transcriptions []Transcription
		agents         []AgentSession
	)
	// Jobs of a live session were first seen no earlier than the session:
	// rows older than the oldest live session are history, not read.
	since := sessions[0].FirstSeenAt
	for _, sess := range sessions {
		if sess.FirstSeenAt.Before(since) {
			since = sess.FirstSeenAt
		}
	}
	since = since.Add(-time.Minute)
	newest := "updated_at, id"
	for _, q := range []struct {
		dest  any
		where string
		args  []any
		order string
	}{
		{&meetings, "id IN ?", []any{refs}, "id"},
		{&recordings, "meeting_ref IN ? AND updated_at >= ?", []any{refs, since}, newest},
		{&streams, "meeting_ref IN ? AND updated_at >= ?", []any{refs, since}, newest},
		{&transcriptions, "meeting_ref IN ? AND updated_at >= ?", []any{refs, since}, newest},
		{&agents, "meeting_ref IN ? AND first_seen_at >= ?", []any{refs, since}, newest},
	} {
		if err := db.Where(q.where, q.args...).Order(q.order).Find(q.dest).Error; err != nil {
			return nil, err
		}
	}
	// Who is in each room: the first RoomPeople by arrival, and how many.
	var present []struct {
		Participant
		InRoom int
	}
	inRoom := db.Model(&Participant{}).Where("meeting_ref IN ? AND present", refs).
		Select("participants.*, ROW_NUMBER() OVER (PARTITION BY meeting_ref, session_id ORDER BY first_seen_at, id) AS nth, " +
			"COUNT(*) OVER (PARTITION BY meeting_ref, session_id) AS in_room")
	if err := db.Table("(?) AS p", inRoom).Where("nth <= ?", RoomPeople).Order("first_seen_at, id").Scan(&present).Error; err != nil {
		return nil, err
	}
	// Each list is walked once, oldest first, so the last match is the newest.
	bySession := make(map[sessionKey]*Room, len(rooms))
	byMeeting := make(map[uint][]*Room, len(rooms))
	for i := range rooms {
		r := &rooms[i]
		bySession[sessionKey{r.Session.MeetingRef, r.Session.SessionID}] = r
		byMeeting[r.Session.MeetingRef] = append(byMeeting[r.Session.MeetingRef], r)
	}
	for _, m := range meetings {
		for _, r := range byMeeting[m.ID] {
			r.Meeting = m
		}
	}
	for _, p := range present {
		if r := bySession[sessionKey{p.MeetingRef, p.SessionID}]; r != nil {
			r.Present = append(r.Present, p.Participant)
			r.InRoom = p.InRoom
		}
	}
	for j := range recordings {
		if x := &recordings[j]; x.Kind != RecordingParticipantTrack {
			if r := bySession[sessionKey{*x.MeetingRef, x.SessionID}]; r != nil {
				r.Recording = x
			}
		}
	}
	for j := range streams {
		x := &streams[j]
		r := bySession[sessionKey{*x.MeetingRef, x.SessionID}]
		switch {
		case r == nil:
		case x.Kind == StreamHLS:
			r.HLS = x
		default:
			r.Livestream = x
		}
	}
	for j := range transcriptions {
		x := &transcriptions[j]
		if r := bySession[sessionKey{*x.MeetingRef, x.SessionID}]; r != nil {
			r.Transcription = x
		}
	}
	for j := range agents {
		x := &agents[j]
		for _, r := range byMeeting[*x.MeetingRef] {
			if x.FirstSeenAt.After(r.Session.FirstSeenAt.Add(-time.Minute)) {
				r.Agent = x
			}
		}
	}
	return rooms, nil
}

// RecentSessions returns the sessions that ended (or went stale) most
// recently, for meetings whose id starts with prefix. Ended sessions come
// in the order they closed, stale ones by their last event; each kind is
// read through its own index, newest first, so the cost does not grow with
// the number of sessions ever held.
func (s *Store) RecentSessions(ctx context.Context, prefix string, limit int) ([]SessionRow, error) {
	limit = pageSize(limit)
	cutoff := s.staleCutoff()
	read := func(where string, order string, args ...any) ([]SessionRow, error) {
		q := s.db.WithContext(ctx).Table("sessions").
			Select("sessions.*, meetings.meeting_id, (SELECT COUNT(*) FROM participants p WHERE p.meeting_ref = sessions.meeting_ref AND p.session_id = sessions.session_id) AS participants").
			Joins("JOIN meetings ON meetings.id = sessions.meeting_ref").
			Where(where, args...).Order(order).Limit(limit)
		q = withPrefix(q, "meetings.meeting_id", prefix)
		rows := []SessionRow{}
		return rows, q.Scan(&rows).Error
	}
	// Sessions an older version ended while this one migrated have no
	// closed_at until their next event; they are left out, not put first.
	ended, err := read(sqlSessionEnded+" AND sessions.closed_at IS NOT NULL", "sessions.closed_at DESC, sessions.id DESC")
	if err != nil {
		return nil, err
	}
	stale, err := read(sqlSessionLive+" AND sessions.last_event_at < ?", "sessions.last_event_at DESC, sessions.id DESC", cutoff)
	if err != nil {
		return nil, err
	}
	closed := func(r SessionRow) time.Time {
		if r.ClosedAt != nil {
			return *r.ClosedAt
		}
		return r.LastEventAt
	}
	rows := append(ended, stale...)
	slices.SortStableFunc(rows, func(a, b SessionRow) int { return closed(b).Compare(closed(a)) })
	rows = rows[:min(len(rows), limit)]
	for i := range rows {
		rows[i].markStale(cutoff)
	}
	return rows, nil
}
