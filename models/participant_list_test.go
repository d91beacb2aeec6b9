package models_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// participantLines sums participants up: meeting, session, id, stays.
func participantLines(rows []models.ParticipantRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%s/%s/%s %d", r.MeetingID, r.SessionID, r.ParticipantID, r.Stays)
	}
	return out
}

// TestListParticipants filters participants by meeting, session, id, part
// of the name and presence, pages them newest first by cursor, and gives
// each with its newest stays and the count of them all.
func TestListParticipants(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		attendanceMeeting(t, s, "plist-a")
		attendanceMeeting(t, s, "other-b")
		yes, no := true, false
		for _, c := range []struct {
			name string
			f    models.ParticipantFilter
			want []string
		}{
			{"meeting", models.ParticipantFilter{Prefix: "plist-a"}, []string{
				"plist-a/s1/dave 1", "plist-a/s2/carol 1", "plist-a/s2/bob 1", "plist-a/s1/bob 1", "plist-a/s1/alice 2"}},
			{"session", models.ParticipantFilter{Prefix: "plist", SessionID: "s2"}, []string{"plist-a/s2/carol 1", "plist-a/s2/bob 1"}},
			{"participant", models.ParticipantFilter{ParticipantID: "alice"}, []string{"other-b/s1/alice 2", "plist-a/s1/alice 2"}},
			{"name, any case", models.ParticipantFilter{Prefix: "plist", Name: "O"}, []string{"plist-a/s2/carol 1", "plist-a/s2/bob 1", "plist-a/s1/bob 1"}},
			{"name with a wildcard", models.ParticipantFilter{Name: "%"}, []string{}},
			{"present", models.ParticipantFilter{Prefix: "plist", Present: &yes}, []string{"plist-a/s2/carol 1"}},
			{"absent", models.ParticipantFilter{Prefix: "other", Present: &no}, []string{
				"other-b/s1/dave 1", "other-b/s2/bob 1", "other-b/s1/bob 1", "other-b/s1/alice 2"}},
		} {
			rows, err := s.ListParticipants(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := participantLines(rows); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}

		// Paged by cursor, two at a time.
		all, err := s.ListParticipants(ctx, models.ParticipantFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var paged []models.ParticipantRow
		f := models.ParticipantFilter{Limit: 2}
		for range 10 {
			rows, err := s.ListParticipants(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, rows...)
			if len(rows) < f.Limit {
				break
			}
			f.Before = rows[len(rows)-1].Cursor()
		}
		if got, want := participantLines(paged), participantLines(all); len(want) != 10 || !slices.Equal(got, want) {
			t.Errorf("paged %v, want %v (10)", got, want)
		}

		// Someone who rejoined more often than a row shows: the newest
		// stays, oldest first, and the count of all.
		t0 := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		n := models.ParticipantStaysShown + 2
		for i := range n {
			for j, typ := range []string{"participant-joined", "participant-left"} {
				postAt(t, s, body(typ, map[string]any{"meetingId": "plist-many", "sessionId": "s", "participantId": "eve"}),
					t0.Add(time.Duration(2*i+j)*time.Second))
			}
		}
		rows, err := s.ListParticipants(ctx, models.ParticipantFilter{Prefix: "plist-many"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Stays != n || len(rows[0].Attendances) != models.ParticipantStaysShown {
			t.Fatalf("eve: %v", participantLines(rows))
		}
		first := rows[0].Attendances[0]
		if first.JoinedAt == nil || !first.JoinedAt.Equal(t0.Add(4*time.Second)) {
			t.Errorf("eve's first stay shown joined at %v, want the third stay's %v", first.JoinedAt, t0.Add(4*time.Second))
		}
	})
}
