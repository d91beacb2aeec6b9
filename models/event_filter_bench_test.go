package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
)

// BenchmarkEventFilters reads a page of the event log (51 events, as the
// page does) under each filter, on the search benchmark's database (see
// seededSearch: 500,000 events, or 10,000,000 with MEETBOARD_BENCH_FULL=1,
// over 30 days), beside the baseline of the same run: the newest page with
// no filter, read along the primary key. Each reports p50 and p99 in
// milliseconds.
func BenchmarkEventFilters(b *testing.B) {
	for _, backend := range []string{"postgres", "sqlite"} {
		b.Run(backend, func(b *testing.B) {
			_, s := seededSearch(b, benchURL(b, backend))
			ten := time.Now().UTC().Add(-10 * 24 * time.Hour).Truncate(time.Minute)
			for _, c := range []struct {
				name string
				f    models.EventFilter
			}{
				{"none", models.EventFilter{}},
				{"provider", models.EventFilter{Provider: "iotum"}},
				{"type", models.EventFilter{Type: "recording.error"}},
				{"outcome-error", models.EventFilter{Outcome: models.OutcomeError}},
				{"outcome-pending", models.EventFilter{Outcome: models.OutcomePending}},
				{"hour-10-days-ago", models.EventFilter{From: ten, To: ten.Add(time.Hour)}},
				{"until-10-days-ago", models.EventFilter{To: ten}},
				{"type-and-outcome", models.EventFilter{Type: "participant.joined", Outcome: models.OutcomeNoChange}},
				{"meeting-and-type", models.EventFilter{MeetingPrefix: "room-", Type: "hls-playable"}},
				{"no-such-type", models.EventFilter{Type: "no.such.type"}},
			} {
				b.Run(c.name, func(b *testing.B) {
					c.f.Limit = 51
					lat := make([]time.Duration, 0, b.N)
					for b.Loop() {
						t0 := time.Now()
						if _, err := s.ListEvents(context.Background(), c.f); err != nil {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(t0))
					}
					reportLatency(b, lat)
				})
			}
		})
	}
}
