package models_test

import (
	"context"
	"errors"
	"testing"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestEventPage: an event comes with the events logged just before and
// after it, in the whole log and in its meeting.
func TestEventPage(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		join := func(meeting, who string) uint64 {
			return post(t, s, body("participant-joined", map[string]any{"meetingId": meeting, "sessionId": "s", "participantId": who})).EventID
		}
		a1, b1, a2, b2 := join("m-a", "1"), join("m-b", "2"), join("m-a", "3"), join("m-b", "4")
		p, err := s.EventPage(context.Background(), a2)
		if err != nil {
			t.Fatal(err)
		}
		if p.Event.ID != a2 || p.Event.MeetingID != "m-a" || p.Event.Outcome != models.OutcomeApplied {
			t.Errorf("event %+v", p.Event)
		}
		if p.Older != b1 || p.Newer != b2 || p.MeetingOlder != a1 || p.MeetingNewer != 0 {
			t.Errorf("neighbours of %d: %+v, want older %d, newer %d, meeting's older %d and no newer", a2, p, b1, b2, a1)
		}
		if p, err := s.EventPage(context.Background(), a1); err != nil || p.Older != 0 || p.Newer != b1 || p.MeetingNewer != a2 {
			t.Errorf("neighbours of the first event: %+v, %v", p, err)
		}
		if _, err := s.EventPage(context.Background(), b2+100); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("an event not in the log: %v", err)
		}
	})
}
