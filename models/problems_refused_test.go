package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestRefusedDeliveriesAreProblems: refused deliveries show in the
// problems as one row per provider, kind of refusal and hour, at the last
// refusal's time, with their count and addresses and a link to the
// provider's page; a meeting filter leaves them out; and they alert once
// an hour per provider and kind, however many more come.
func TestRefusedDeliveriesAreProblems(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		hour := time.Now().UTC().Truncate(time.Hour)
		if time.Since(hour) < 5*time.Minute {
			hour = hour.Add(-time.Hour) // the refusals below stay in one past hour
		}
		last := hour.Add(3 * time.Minute)
		for i, src := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.1"} {
			s.RecordRefusal(refused(models.RefusedSignature, src, hour.Add(time.Duration(i+1)*time.Minute), "bad signature"), []byte("{}"))
		}
		s.RecordRefusal(refused(models.RefusedMalformed, "198.51.100.9", hour.Add(time.Minute), "not JSON"), []byte("x"))
		waitRefusals(t, s)

		ps, err := s.Problems(ctx, models.ProblemFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []models.Problem
		for _, p := range ps {
			if p.Kind == models.ProblemRefused {
				got = append(got, p)
			}
		}
		if len(got) != 2 {
			t.Fatalf("refused problems: %+v; want bad signature and malformed", got)
		}
		sig := got[0]
		if sig.What != "bad signature" || sig.Provider != "videosdk" || !sig.At.Equal(last) || sig.Link != "/providers/videosdk" ||
			sig.Reason != "3 deliveries refused in the hour, from 2 addresses" {
			t.Errorf("the bad signatures' problem: %+v (want at %v)", sig, last)
		}
		if ps, _ := s.Problems(ctx, models.ProblemFilter{Prefix: "m"}); len(ps) != 0 {
			t.Errorf("under a meeting filter: %+v", ps)
		}

		kinds := []models.ProblemKind{models.ProblemRefused}
		if n, err := s.RaiseAlerts(ctx, kinds, hour, true); err != nil || n != 2 {
			t.Fatalf("raised %d, %v; want one per kind of refusal", n, err)
		}
		s.RecordRefusal(refused(models.RefusedSignature, "198.51.100.3", hour.Add(4*time.Minute), "bad signature"), nil)
		waitRefusals(t, s)
		if n, err := s.RaiseAlerts(ctx, kinds, hour, true); err != nil || n != 0 {
			t.Errorf("a further refusal in the same hour raised %d, %v", n, err)
		}
	})
}

// TestRefusalsCharted: the charts count refused deliveries with the
// others, as "refused", once each, by provider.
func TestRefusalsCharted(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		now := time.Now().UTC()
		for i := range 5 {
			s.RecordRefusal(refused(models.RefusedSignature, "198.51.100.1", now, "bad signature"), nil)
			if i < 2 {
				s.RecordRefusal(refused(models.RefusedRateLimited, "198.51.100.2", now, "too many"), nil)
			}
		}
		waitRefusals(t, s)
		got := counts(hourCharts(t, s))
		if n := got[models.SeriesDeliveries+":"+models.DeliveryLabel("videosdk", models.OutcomeRefused)]; n != 7 {
			t.Errorf("refused deliveries charted: %d (%v), want 7", n, got)
		}
	})
}
