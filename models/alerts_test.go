package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestAlerts: problems of the chosen kinds are raised once each however
// often they are read again (a redelivered failure too); a claimed alert
// is not claimed again until its lease ends; a failed send is tried again
// after its backoff and given up after the last attempt; a sent one is
// done.
func TestAlerts(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		since := time.Now().UTC().Add(-time.Hour)
		failed := body("recording-failed", map[string]any{"meetingId": "m-1", "sessionId": "s", "id": "rec", "message": "disk full"})
		post(t, s, failed)
		post(t, s, body("hls-failed", map[string]any{"meetingId": "m-2", "sessionId": "s", "id": "hls"}))
		kinds := []models.ProblemKind{models.ProblemRecording}

		n, err := s.RaiseAlerts(ctx, kinds, since, true)
		if err != nil || n != 1 {
			t.Fatalf("raised %d, %v; want the failed recording only (streams are not chosen)", n, err)
		}
		post(t, s, failed) // redelivered
		if n, err := s.RaiseAlerts(ctx, kinds, since, true); err != nil || n != 0 {
			t.Fatalf("raised again %d, %v; want none", n, err)
		}
		list, err := s.ListAlerts(ctx, models.AlertFilter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("alerts: %+v, %v", list, err)
		}
		a := list[0]
		if a.Kind != models.ProblemRecording || a.MeetingID != "m-1" || a.Reason != "disk full" || a.Status != models.AlertPending || a.Link == "" {
			t.Errorf("the alert: %+v", a)
		}

		claimed, err := s.ClaimAlerts(ctx, 10, time.Minute)
		if err != nil || len(claimed) != 1 || claimed[0].ID != a.ID {
			t.Fatalf("claimed %+v, %v", claimed, err)
		}
		if again, err := s.ClaimAlerts(ctx, 10, time.Minute); err != nil || len(again) != 0 {
			t.Errorf("claimed again within the lease: %+v, %v", again, err)
		}
		if err := s.FinishAlerts(ctx, claimed, errors.New("answered 500")); err != nil {
			t.Fatal(err)
		}
		list, _ = s.ListAlerts(ctx, models.AlertFilter{})
		if got := list[0]; got.Status != models.AlertPending || got.Attempts != 1 || got.LastError != "answered 500" {
			t.Errorf("after a failed send: %+v", got)
		}
		if due, _ := s.ClaimAlerts(ctx, 10, time.Minute); len(due) != 0 {
			t.Errorf("claimed before its backoff ended: %+v", due)
		}

		// The last attempt gives up.
		s.DB().Exec("UPDATE alerts SET attempts = 11, next_attempt_at = ?", time.Now().UTC().Add(-time.Second))
		claimed, _ = s.ClaimAlerts(ctx, 10, time.Minute)
		if err := s.FinishAlerts(ctx, claimed, errors.New("refused")); err != nil {
			t.Fatal(err)
		}
		list, _ = s.ListAlerts(ctx, models.AlertFilter{})
		if got := list[0]; got.Status != models.AlertFailed || got.Attempts != 12 {
			t.Errorf("after the last attempt: %+v", got)
		}

		// A sent alert.
		post(t, s, body("recording-failed", map[string]any{"meetingId": "m-3", "sessionId": "s", "id": "rec-3"}))
		if n, _ := s.RaiseAlerts(ctx, kinds, since, true); n != 1 {
			t.Fatalf("a second failure raised %d", n)
		}
		claimed, _ = s.ClaimAlerts(ctx, 10, time.Minute)
		if len(claimed) != 1 || claimed[0].MeetingID != "m-3" {
			t.Fatalf("claimed %+v", claimed)
		}
		if err := s.FinishAlerts(ctx, claimed, nil); err != nil {
			t.Fatal(err)
		}
		newer, _ := s.ListAlerts(ctx, models.AlertFilter{AfterID: a.ID})
		if len(newer) != 1 || newer[0].Status != models.AlertSent || newer[0].SentAt == nil || newer[0].Reason != "no reason given" && newer[0].Reason == "" {
			t.Errorf("the sent alert: %+v", newer)
		}

		// Raised while no URL is configured: recorded, never claimed.
		post(t, s, body("recording-failed", map[string]any{"meetingId": "m-4", "sessionId": "s", "id": "rec-4"}))
		if n, _ := s.RaiseAlerts(ctx, kinds, since, false); n != 1 {
			t.Fatalf("raised %d without a URL", n)
		}
		if due, _ := s.ClaimAlerts(ctx, 10, time.Minute); len(due) != 0 {
			t.Errorf("an alert raised without a URL was claimed: %+v", due)
		}
		if n, err := s.PruneAlerts(ctx, time.Now().Add(time.Minute)); err != nil || n != 3 {
			t.Errorf("pruned %d, %v; want all 3", n, err)
		}
	})
}
