package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// logOnlyStore is a store on a migrated database with no decoder, so no
// projector: it logs deliveries and applies none.
func logOnlyStore(t *testing.T, url string) *models.Store {
	t.Helper()
	return models.NewStore(migratedDB(t, url, models.DBOptions{}), models.StoreOptions{})
}

// TestLag logs deliveries with no projector to apply them: Lag counts them
// and gives when the oldest arrived, on both databases (SQLite once failed
// to read the time back), and nothing once a rebuild's projector has
// applied them.
func TestLag(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		logOnly := logOnlyStore(t, url)
		defer logOnly.Close()
		ctx := context.Background()
		if lag, err := logOnly.Lag(ctx); err != nil || lag != (models.Lag{}) {
			t.Fatalf("empty log: %+v %v", lag, err)
		}
		oldest := time.Date(2024, 5, 29, 17, 0, 0, 123456000, time.UTC)
		for i, at := range []time.Time{oldest.Add(time.Minute), oldest, oldest.Add(2 * time.Minute)} {
			body := fmt.Appendf(nil, `{"webhookType":"session-started","data":{"meetingId":"lag","sessionId":"s%d"}}`, i)
			ev, err := testDecode("videosdk", body)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := logOnly.Ingest(ctx, models.Delivery{Provider: "videosdk", Body: body, ReceivedAt: at, Event: ev}); err != nil {
				t.Fatal(err)
			}
		}
		lag, err := logOnly.Lag(ctx)
		if err != nil || lag.Events != 3 || !lag.Oldest.Equal(oldest) {
			t.Errorf("three waiting: %+v %v, want 3 events, the oldest at %v", lag, err, oldest)
		}

		s := openStore(t, url)
		settle(t, s)
		if lag, err := s.Lag(ctx); err != nil || lag.Events != 0 {
			t.Errorf("once applied: %+v %v", lag, err)
		}
	})
}

// TestLagAndSettle: with no projector running, logged deliveries wait:
// Lag counts them and dates the oldest, Settle gives up after its wait and
// says so; once a projector runs, Settle reports the models caught up.
func TestLagAndSettle(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		ctx := context.Background()
		logOnly := logOnlyStore(t, url)
		db := logOnly.DB()
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
