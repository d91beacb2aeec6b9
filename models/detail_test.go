package models_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestMeetingDetailLimit checks that a limited read keeps the newest rows
// of each list, oldest first, and counts them all.
func TestMeetingDetailLimit(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		const m = "many-sessions"
		for i := 1; i <= 5; i++ {
			sid, pid := fmt.Sprintf("s%d", i), fmt.Sprintf("p%d", i)
			post(t, s, body("session-started", map[string]any{"meetingId": m, "sessionId": sid}))
			post(t, s, body("participant-joined", map[string]any{"meetingId": m, "sessionId": sid, "participantId": pid, "participantName": pid}))
			if i > 2 {
				post(t, s, body("recording-started", map[string]any{"meetingId": m, "sessionId": sid, "id": "rec-" + sid}))
			}
		}
		// The newest participant comes back: two visits.
		post(t, s, body("participant-left", map[string]any{"meetingId": m, "sessionId": "s5", "participantId": "p5", "participantName": "p5"}))
		post(t, s, body("participant-joined", map[string]any{"meetingId": m, "sessionId": "s5", "participantId": "p5", "participantName": "p5"}))

		all := models.MeetingTotals{Sessions: 5, Participants: 5, Recordings: 3}
		for _, c := range []struct {
			limit          int
			sessions, recs string
			people         string
		}{
			{0, "s1 s2 s3 s4 s5", "rec-s3 rec-s4 rec-s5", "p1 p2 p3 p4 p5"},
			{5, "s1 s2 s3 s4 s5", "rec-s3 rec-s4 rec-s5", "p1 p2 p3 p4 p5"},
			{2, "s4 s5", "rec-s4 rec-s5", "p4 p5"},
			{1, "s5", "rec-s5", "p5"},
		} {
			d, err := s.MeetingDetail(context.Background(), "", m, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			var sessions, recs, people string
			for _, x := range d.Sessions {
				sessions += " " + x.SessionID
			}
			for _, x := range d.Recordings {
				recs += " " + x.ExternalID
			}
			for _, x := range d.Participants {
				people += " " + x.ParticipantID
			}
			if sessions != " "+c.sessions || recs != " "+c.recs || people != " "+c.people {
				t.Errorf("limit %d: sessions%s, recordings%s, participants%s; want %s, %s, %s", c.limit, sessions, recs, people, c.sessions, c.recs, c.people)
			}
			if d.Totals != all {
				t.Errorf("limit %d: totals %+v, want %+v", c.limit, d.Totals, all)
			}
			last := d.Participants[len(d.Participants)-1]
			if len(last.Attendances) != 2 {
				t.Errorf("limit %d: p5 has %d attendances, want 2", c.limit, len(last.Attendances))
			}
		}
	})
}
