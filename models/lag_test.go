package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestLagAndSettle: with no projector running, logged deliveries wait:
// Lag counts them and dates the oldest, Settle gives up after its wait and
// says so; once a projector runs, Settle reports the models caught up.
func TestLagAndSettle(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		db, err := models.Open(url, models.DBOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := models.Migrate(db); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		logOnly := models.NewStore(db, models.StoreOptions{}) // no Decode: no projector
		before := time.Now().UTC().Add(-time.Second)
		for _, id := range []string{"a", "b", "c"} {
			if _, err := logOnly.Ingest(ctx, decodeDelivery(t, body("participant-joined", map[string]any{"meetingId": "lag", "sessionId": "s", "participantId": id}))); err != nil {
				t.Fatal(err)
			}
		}
		lag, err := logOnly.Lag(ctx)
		if err != nil || lag.Events != 3 || lag.Oldest.Before(before) || lag.Oldest.After(time.Now().UTC()) {
			t.Errorf("lag with three waiting: %+v, %v", lag, err)
		}
		if ok, err := logOnly.Settle(ctx, 300*time.Millisecond); ok || err != nil {
			t.Errorf("settle with no projector: %v, %v; want false after the wait", ok, err)
		}
		logOnly.Close()

		s := models.NewStore(db, models.StoreOptions{Decode: testDecode})
		defer s.Close()
		if ok, err := s.Settle(ctx, 30*time.Second); !ok || err != nil {
			t.Fatalf("settle with a projector: %v, %v", ok, err)
		}
		if lag, err := s.Lag(ctx); err != nil || lag.Events != 0 {
			t.Errorf("lag once applied: %+v, %v", lag, err)
		}
		if p := detail(t, s, "lag").Participants; len(p) != 3 {
			t.Errorf("%d participants, want 3", len(p))
		}
	})
}
