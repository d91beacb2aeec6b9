package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestPrune: events received before the cutoff and applied leave the log,
// with their outcomes, in batches; newer ones stay, and so do the models.
func TestPrune(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		old := time.Now().UTC().Add(-100 * 24 * time.Hour)
		ds := make([]models.Delivery, 1500)
		for i := range ds {
			ds[i] = decodeDelivery(t, body("participant-joined", map[string]any{"meetingId": "old", "sessionId": "s", "participantId": i}))
			ds[i].ReceivedAt = old.Add(time.Duration(i) * time.Second)
		}
		commitBatch(t, s, ds)
		recent := post(t, s, body("participant-joined", map[string]any{"meetingId": "new", "sessionId": "s", "participantId": "p"}))
		n, err := s.Prune(ctx, time.Now().UTC().Add(-90*24*time.Hour))
		if err != nil || n != 1500 {
			t.Fatalf("pruned %d, %v; want the 1500 old events", n, err)
		}
		var left, outcomes int64
		s.DB().Table("raw_events").Count(&left)
		s.DB().Table("event_outcomes").Count(&outcomes)
		if left != 1 || outcomes != 1 {
			t.Errorf("%d events and %d outcomes left, want the recent one", left, outcomes)
		}
		if _, err := s.Event(ctx, recent.EventID); err != nil {
			t.Errorf("the recent event: %v", err)
		}
		if p := detail(t, s, "old").Participants; len(p) != 1500 {
			t.Errorf("the old meeting's participants after pruning: %d, want 1500", len(p))
		}
		var pruned []time.Time
		s.DB().Raw("SELECT pruned_before FROM projector_position WHERE id = 1").Scan(&pruned)
		if len(pruned) != 1 || !pruned[0].Equal(old.Add(1499*time.Second).Truncate(time.Millisecond)) && pruned[0].Sub(old.Add(1499*time.Second)).Abs() > time.Millisecond {
			t.Errorf("pruned_before %v, want the newest removed arrival %v", pruned, old.Add(1499*time.Second))
		}
		if n, err := s.Prune(ctx, time.Now().UTC().Add(-90*24*time.Hour)); err != nil || n != 0 {
			t.Errorf("pruning again: %d, %v", n, err)
		}
	})
}
