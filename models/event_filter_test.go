package models_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestEventFilters: the event log filters by provider, type, outcome
// (pending included) and arrival time, each alone and together with the
// meeting filter and paging.
func TestEventFilters(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		ctx := context.Background()
		db := migratedDB(t, url, models.DBOptions{})
		s := models.NewStore(db, models.StoreOptions{Decode: testDecode})
		fix := refusePoison(t, db, strings.HasPrefix(url, "postgres"))
		now := time.Now().UTC()
		var nopStore *models.Store
		ingest := func(d models.Delivery) uint64 {
			t.Helper()
			res, err := s.Ingest(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if s != nopStore {
				applied(t, s, res)
			}
			return res.EventID
		}
		vsdk := func(typ, meeting, name string, at time.Time) models.Delivery {
			d := decodeDelivery(t, body(typ, map[string]any{"meetingId": meeting, "sessionId": "s", "participantId": name, "participantName": name}))
			d.ReceivedAt = at
			return d
		}
		old := ingest(vsdk("participant-joined", "a-1", "Ada", now.Add(-2*time.Hour)))
		d := synthetic("daily", models.Event{Type: "participant.joined", MeetingID: "b-1"})
		d.ReceivedAt = now.Add(-3 * time.Minute)
		daily := ingest(d)
		poison := ingest(vsdk("participant-joined", "a-2", "Poison", now.Add(-2*time.Minute)))
		custom := ingest(vsdk("custom-thing", "a-1", "x", now.Add(-time.Minute)))
		fix()
		s.Close()
		// A store that applies nothing: what it logs stays pending.
		s = models.NewStore(db, models.StoreOptions{})
		nopStore = s
		t.Cleanup(s.Close)
		pending := ingest(vsdk("participant-joined", "a-3", "Cy", now))

		ids := func(f models.EventFilter) []uint64 {
			t.Helper()
			evs, err := s.ListEvents(ctx, f)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			out := []uint64{}
			for _, e := range evs {
				out = append(out, e.ID)
			}
			return out
		}
		for _, c := range []struct {
			name string
			f    models.EventFilter
			want []uint64
		}{
			{"provider", models.EventFilter{Provider: "daily"}, []uint64{daily}},
			{"type", models.EventFilter{Type: "participant-joined"}, []uint64{pending, poison, old}},
			{"type is exact", models.EventFilter{Type: "participant"}, []uint64{}},
			{"applied", models.EventFilter{Outcome: models.OutcomeApplied}, []uint64{old}},
			{"error", models.EventFilter{Outcome: models.OutcomeError}, []uint64{poison}},
			{"stored", models.EventFilter{Outcome: models.OutcomeStored}, []uint64{custom, daily}},
			{"pending", models.EventFilter{Outcome: models.OutcomePending}, []uint64{pending}},
			{"no-change", models.EventFilter{Outcome: models.OutcomeNoChange}, []uint64{}},
			{"from", models.EventFilter{From: now.Add(-time.Hour)}, []uint64{pending, custom, poison, daily}},
			{"to", models.EventFilter{To: now.Add(-time.Hour)}, []uint64{old}},
			{"from and to", models.EventFilter{From: now.Add(-3 * time.Hour), To: now.Add(-time.Hour)}, []uint64{old}},
			{"all at once", models.EventFilter{MeetingPrefix: "a", Provider: "videosdk", Type: "participant-joined",
				Outcome: models.OutcomeApplied, From: now.Add(-3 * time.Hour), To: now.Add(time.Hour)}, []uint64{old}},
			{"meeting and provider", models.EventFilter{MeetingPrefix: "a-", Provider: "videosdk"}, []uint64{pending, custom, poison, old}},
			{"paged", models.EventFilter{Provider: "videosdk", BeforeID: custom, Limit: 1}, []uint64{poison}},
			{"paged by outcome", models.EventFilter{Outcome: models.OutcomeStored, BeforeID: custom}, []uint64{daily}},
			{"paged in a time range", models.EventFilter{From: now.Add(-time.Hour), BeforeID: poison}, []uint64{daily}},
		} {
			if got := ids(c.f); !slices.Equal(got, c.want) {
				t.Errorf("%s: events %v, want %v", c.name, got, c.want)
			}
		}
		evs, err := s.ListEvents(ctx, models.EventFilter{Outcome: models.OutcomePending})
		if err != nil || len(evs) != 1 || evs[0].Outcome != models.OutcomePending {
			t.Errorf("pending events: %+v, %v", evs, err)
		}
	})
}

// TestLogOutcomes: the outcome filter offers what the log's events can
// have.
func TestLogOutcomes(t *testing.T) {
	got := fmt.Sprint(models.LogOutcomes())
	if got != "[pending applied no-change stored error]" {
		t.Errorf("LogOutcomes() = %s", got)
	}
}
