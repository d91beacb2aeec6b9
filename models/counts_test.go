package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestCountAll counts each list as its page shows it with no filter, and
// stops counting past CountCap.
func TestCountAll(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		now := time.Now().UTC()
		room := func(m string) map[string]any { return map[string]any{"meetingId": m, "sessionId": "s-" + m} }
		post(t, s, body("session-started", room("live")))
		post(t, s, body("recording-started", map[string]any{"meetingId": "live", "sessionId": "s-live", "id": "rec-1"}))
		post(t, s, body("hls-started", map[string]any{"meetingId": "live", "sessionId": "s-live", "id": "hls-1"}))
		post(t, s, body("session-started", room("over")))
		post(t, s, body("session-ended", room("over")))
		postAt(t, s, body("session-started", room("quiet")), now.Add(-13*time.Hour)) // stale: shown with the ended ones
		want := map[models.Counted]int{
			models.CountedLiveRooms: 1, models.CountedEndedSessions: 2, models.CountedMeetings: 3,
			models.CountedRecordings: 1, models.CountedStreams: 1, models.CountedCalls: 0, models.CountedEvents: 6,
		}
		for list, n := range want {
			if got, err := s.CountAll(ctx, list); err != nil || got != n {
				t.Errorf("list %d: %d (%v), want %d", list, got, err, n)
			}
		}
		meetings := make([]models.Meeting, models.CountCap+50)
		for i := range meetings {
			meetings[i] = models.Meeting{Provider: "videosdk", MeetingID: fmt.Sprintf("many-%04d", i), FirstSeenAt: now, LastEventAt: now}
		}
		if err := s.DB().CreateInBatches(meetings, 200).Error; err != nil {
			t.Fatal(err)
		}
		if got, err := s.CountAll(ctx, models.CountedMeetings); err != nil || got != models.CountCap+1 {
			t.Errorf("%d meetings counted as %d (%v), want CountCap+1 = %d", 3+len(meetings), got, err, models.CountCap+1)
		}
	})
}
