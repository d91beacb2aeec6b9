package models_test

import (
	"context"
	"strings"
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

// TestRebuildAfterPruning: a rebuild once old events are gone keeps the
// models of meetings whose first events the log no longer holds, and
// rebuilds the others.
func TestRebuildAfterPruning(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		old := time.Now().UTC().Add(-100 * 24 * time.Hour)
		join := func(meeting, p string, at time.Time) models.Delivery {
			d := decodeDelivery(t, body("participant-joined", map[string]any{"meetingId": meeting, "sessionId": "s", "participantId": p}))
			d.ReceivedAt = at
			return d
		}
		commitBatch(t, s, []models.Delivery{join("old-room", "a", old), join("old-room", "b", old.Add(time.Second))})
		commitBatch(t, s, []models.Delivery{join("old-room", "c", time.Now().UTC()), join("new-room", "x", time.Now().UTC())})
		if n, err := s.Prune(ctx, time.Now().UTC().Add(-90*24*time.Hour)); err != nil || n != 2 {
			t.Fatalf("pruned %d, %v", n, err)
		}
		if _, err := s.StartRebuild(ctx); err != nil {
			t.Fatal(err)
		}
		settle(t, s)
		if p := detail(t, s, "old-room").Participants; len(p) != 3 {
			t.Errorf("the meeting whose first events were removed: %d participants, want its 3 kept", len(p))
		}
		if p := detail(t, s, "new-room").Participants; len(p) != 1 {
			t.Errorf("the meeting the log holds whole: %d participants, want 1 rebuilt", len(p))
		}
		evs, err := s.ListEvents(ctx, models.EventFilter{Meeting: "old-room"})
		if err != nil || len(evs) != 1 || evs[0].Outcome != models.OutcomeStored || !strings.Contains(evs[0].Detail, "kept as it was") {
			t.Errorf("the kept meeting's event in the log: %+v, %v", evs, err)
		}
		// The rebuild is over: a new event of the kept meeting applies.
		post(t, s, body("participant-joined", map[string]any{"meetingId": "old-room", "sessionId": "s", "participantId": "d"}))
		if p := detail(t, s, "old-room").Participants; len(p) != 4 {
			t.Errorf("after the rebuild, a new join of the kept meeting: %d participants, want 4", len(p))
		}
	})
}
