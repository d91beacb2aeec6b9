package models_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestRecentSessions checks the live-rooms page's list of sessions that
// ended or went stale: newest first, by the provider's end time, else when
// the end arrived, else (stale) the last event; live ones left out.
func TestRecentSessions(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStoreWith(t, url, models.StoreOptions{StaleAfter: time.Hour})
		now := time.Now().UTC().Truncate(time.Second)
		send := func(ago time.Duration, typ string, data map[string]any) {
			t.Helper()
			postAt(t, s, body(typ, data), now.Add(-ago))
		}
		session := func(m string) map[string]any { return map[string]any{"meetingId": m, "sessionId": "s-" + m} }
		ended := func(m string, end time.Duration) map[string]any {
			d := session(m)
			if end > 0 {
				d["end"] = now.Add(-end).Format(time.RFC3339)
			}
			return d
		}
		// The end times: 10 and 30 minutes ago from the provider, and 5
		// minutes ago when the end (without a time) arrived.
		send(3*time.Hour, "session-started", session("r-e10"))
		send(time.Minute, "session-ended", ended("r-e10", 10*time.Minute))
		send(3*time.Hour, "session-started", session("r-none"))
		send(5*time.Minute, "session-ended", ended("r-none", 0))
		send(2*time.Minute, "participant-joined", map[string]any{"meetingId": "r-none", "sessionId": "s-r-none", "participantId": "late", "participantName": "Late"})
		send(3*time.Hour, "session-started", session("r-e30"))
		send(0, "session-ended", ended("r-e30", 30*time.Minute))
		send(2*time.Hour, "session-started", session("x-stale"))
		send(time.Minute, "session-started", session("r-live"))

		for _, c := range []struct {
			prefix string
			limit  int
			want   string
		}{
			{"", 10, "r-none ended, r-e10 ended, r-e30 ended, x-stale stale"},
			{"", 2, "r-none ended, r-e10 ended"},
			{"r-", 10, "r-none ended, r-e10 ended, r-e30 ended"},
			{"x", 10, "x-stale stale"},
		} {
			rows, err := s.RecentSessions(context.Background(), c.prefix, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.MeetingID+" "+r.Status)
			}
			if strings.Join(got, ", ") != c.want {
				t.Errorf("prefix %q limit %d: %s, want %s", c.prefix, c.limit, strings.Join(got, ", "), c.want)
			}
		}
		rows, _ := s.RecentSessions(context.Background(), "r-none", 1)
		if len(rows) != 1 || rows[0].Participants != 1 {
			t.Errorf("r-none's row counts %+v participants, want 1", rows)
		}

		// A session an older version ended during the upgrade has no
		// closed_at: it is left out until its next event, then placed by
		// its end time.
		if err := s.DB().Exec("UPDATE sessions SET closed_at = NULL WHERE session_id = 's-r-e30'").Error; err != nil {
			t.Fatal(err)
		}
		list := func() string {
			t.Helper()
			rows, err := s.RecentSessions(context.Background(), "r-", 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.MeetingID)
			}
			return strings.Join(got, ", ")
		}
		if got := list(); got != "r-none, r-e10" {
			t.Errorf("with r-e30's closed_at lost: %s", got)
		}
		send(0, "participant-left", map[string]any{"meetingId": "r-e30", "sessionId": "s-r-e30", "participantId": "x", "participantName": "X"})
		if got := list(); got != "r-none, r-e10, r-e30" {
			t.Errorf("after r-e30's next event: %s", got)
		}
	})
}
