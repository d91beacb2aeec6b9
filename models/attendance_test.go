package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// stayLine sums a stay up for comparison: session, who, join, leave, time
// in the room and reason (times as seconds after t0, "-" when unknown).
func stayLine(st models.Stay, t0 time.Time) string {
	at := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return fmt.Sprint(int(t.Sub(t0) / time.Second))
	}
	secs := "-"
	if st.Seconds != nil {
		secs = fmt.Sprint(*st.Seconds)
	}
	return fmt.Sprintf("%s %s %s %s..%s %s %s", st.SessionID, st.ParticipantID, st.Name, at(st.JoinedAt), at(st.LeftAt), secs, st.LeaveReason)
}

// attendanceMeeting posts a meeting of two sessions with rejoins, leaves,
// a stay closed by its session's end, someone still in the room, and a
// leave for the first session that arrives during the second; it returns
// the time its events are counted from.
func attendanceMeeting(t *testing.T, s *models.Store, meeting string) time.Time {
	t.Helper()
	t0 := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	sec := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	ev := func(n int, typ, session string, kv ...any) {
		t.Helper()
		d := map[string]any{"meetingId": meeting, "sessionId": session}
		for i := 0; i+1 < len(kv); i += 2 {
			d[kv[i].(string)] = kv[i+1]
		}
		postAt(t, s, body(typ, d), sec(n))
	}
	ev(0, "session-started", "s1", "start", sec(0).Format(time.RFC3339))
	ev(10, "participant-joined", "s1", "participantId", "alice", "participantName", "Alice")
	ev(20, "participant-joined", "s1", "participantId", "bob", "participantName", "Bob")
	ev(70, "participant-left", "s1", "participantId", "alice", "participantName", "Alice", "reason", "user-left")
	ev(100, "participant-joined", "s1", "participantId", "alice", "participantName", "Alice")
	ev(200, "session-ended", "s1", "end", sec(200).Format(time.RFC3339))
	ev(300, "session-started", "s2", "start", sec(300).Format(time.RFC3339))
	ev(310, "participant-joined", "s2", "participantId", "bob", "participantName", "Bob")
	ev(400, "participant-left", "s2", "participantId", "bob", "participantName", "Bob", "reason", "network")
	ev(410, "participant-joined", "s2", "participantId", "carol", "participantName", "Carol")
	// Dave's leave of the first session comes late, during the second.
	ev(420, "participant-left", "s1", "participantId", "dave", "participantName", "Dave", "reason", "kicked")
	return t0
}

// wantStays is attendanceMeeting's attendance in order: by session, then
// by participant as first stored, then by stay.
var wantStays = []string{
	"s1 alice Alice 10..70 60 user-left",
	"s1 alice Alice 100..200 100 session-ended",
	"s1 bob Bob 20..200 180 session-ended",
	"s1 dave Dave -..420 - kicked",
	"s2 bob Bob 310..400 90 network",
	"s2 carol Carol 410..- - ",
}

// TestAttendance reads a meeting's attendance whole and in pages of every
// size: each stay once, grouped by session, the same rows the meeting's
// detail holds.
func TestAttendance(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		t0 := attendanceMeeting(t, s, "att-1")
		attendanceMeeting(t, s, "att-2") // another meeting's stays stay out
		m, err := s.FindMeeting(ctx, "", "att-1")
		if err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{1, 2, 3, 5, 50} {
			var got []string
			var after *models.StayCursor
			for pages := 0; ; pages++ {
				if pages > 20 {
					t.Fatalf("limit %d: the attendance does not end: %v", limit, got)
				}
				stays, err := s.Attendance(ctx, m.ID, after, limit)
				if err != nil {
					t.Fatal(err)
				}
				for _, st := range stays {
					got = append(got, stayLine(st, t0))
				}
				if len(stays) < limit {
					break
				}
				c := stays[len(stays)-1].Cursor()
				after = &c
			}
			if strings.Join(got, "\n") != strings.Join(wantStays, "\n") {
				t.Errorf("limit %d: attendance\n%s\nwant\n%s", limit, strings.Join(got, "\n"), strings.Join(wantStays, "\n"))
			}
		}
		// The same stays as the meeting's page has.
		var fromDetail []string
		for _, p := range detail(t, s, "att-1").Participants {
			for _, a := range p.Attendances {
				st := models.Stay{SessionID: p.SessionID, ParticipantID: p.ParticipantID, Name: p.Name, JoinedAt: a.JoinedAt, LeftAt: a.LeftAt, LeaveReason: a.LeaveReason}
				if a.JoinedAt != nil && a.LeftAt != nil {
					n := int64(a.LeftAt.Sub(*a.JoinedAt) / time.Second)
					st.Seconds = &n
				}
				fromDetail = append(fromDetail, stayLine(st, t0))
			}
		}
		if len(fromDetail) != len(wantStays) {
			t.Errorf("the meeting's detail has %d stays, the attendance %d:\n%s", len(fromDetail), len(wantStays), strings.Join(fromDetail, "\n"))
		}
		if _, err := s.FindMeeting(ctx, "", "att-none"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("an unknown meeting: %v, want ErrNotFound", err)
		}
	})
}
