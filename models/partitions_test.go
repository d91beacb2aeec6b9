package models_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// partitionsOf lists a partitioned table's partitions by name.
func partitionsOf(t *testing.T, s *models.Store, table string) map[string]bool {
	t.Helper()
	var names []string
	if err := s.DB().Raw(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = ?::regclass`, table).Scan(&names).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

// rowsIn counts one table's rows (a partition's, read alone).
func rowsIn(t *testing.T, s *models.Store, table string) int64 {
	t.Helper()
	var n int64
	if err := s.DB().Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPartitionedRetention: on PostgreSQL every delivery lands in its
// day's partition of the log, made ahead of time; a delivery outside every
// partition waits in the default one and moves when its day's partition is
// made; retention drops whole partitions (the log's and the outcomes')
// once everything in them is applied and old, and never a partition
// holding an event not yet applied. The models stay.
func TestPartitionedRetention(t *testing.T) {
	url := dbtest.PostgresDSN(t)
	s := openStoreWith(t, url, models.StoreOptions{Retention: 90 * 24 * time.Hour})
	ctx := context.Background()
	now := time.Now().UTC()
	day := func(d int) string { return now.AddDate(0, 0, d).Format("20060102") }
	if err := s.EnsurePartitions(ctx, now); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"raw_events", "event_outcomes"} {
		got := partitionsOf(t, s, table)
		for _, want := range []string{table + "_legacy", table + "_default", table + "_" + day(1), table + "_" + day(3)} {
			if !got[want] {
				t.Errorf("%s's partitions %v, want %s among them", table, got, want)
			}
		}
	}

	joins := make([]models.Delivery, 10)
	for i := range joins {
		joins[i] = decodeDelivery(t, body("participant-joined", map[string]any{"meetingId": "today", "sessionId": "s", "participantId": i}))
		joins[i].ReceivedAt = now.AddDate(0, 0, 1) // tomorrow's partition, past the legacy one's end
	}
	later := decodeDelivery(t, body("participant-joined", map[string]any{"meetingId": "later", "sessionId": "s", "participantId": "p"}))
	later.ReceivedAt = now.AddDate(0, 0, 30)
	commitBatch(t, s, append(joins, later))
	if n := rowsIn(t, s, "raw_events_"+day(1)); n != 10 {
		t.Errorf("tomorrow's partition holds %d events, want 10", n)
	}
	if n := rowsIn(t, s, "event_outcomes_"+day(1)); n != 10 {
		t.Errorf("tomorrow's outcomes partition holds %d, want 10", n)
	}
	if n := rowsIn(t, s, "raw_events_default"); n != 1 {
		t.Errorf("the default partition holds %d events, want the one 30 days ahead", n)
	}
	if err := s.EnsurePartitions(ctx, now.AddDate(0, 0, 30)); err != nil {
		t.Fatalf("making partitions over a default partition's rows: %v", err)
	}
	if n := rowsIn(t, s, "raw_events_default") + rowsIn(t, s, "event_outcomes_default"); n != 0 {
		t.Errorf("%d rows left in the default partitions once their day's partition was made", n)
	}
	if n := rowsIn(t, s, "raw_events_"+day(30)); n != 1 {
		t.Errorf("the partition 30 days ahead holds %d events, want the one moved from the default", n)
	}

	n, err := s.Prune(ctx, now.AddDate(0, 0, 2).Truncate(24*time.Hour))
	if err != nil || n != 10 {
		t.Fatalf("pruned %d, %v; want tomorrow's 10 events", n, err)
	}
	got := partitionsOf(t, s, "raw_events")
	if got["raw_events_legacy"] || got["raw_events_"+day(1)] || !got["raw_events_"+day(2)] {
		t.Errorf("partitions after pruning: %v; want legacy and tomorrow's dropped, the day after kept", got)
	}
	if got := partitionsOf(t, s, "event_outcomes"); got["event_outcomes_"+day(1)] {
		t.Errorf("tomorrow's outcomes partition was kept: %v", got)
	}
	if p := detail(t, s, "today").Participants; len(p) != 10 {
		t.Errorf("the models after pruning: %d participants, want 10", len(p))
	}
	evs, err := s.ListEvents(ctx, models.EventFilter{})
	if err != nil || len(evs) != 1 || evs[0].MeetingID != "later" || evs[0].Outcome != models.OutcomeApplied {
		t.Errorf("the log after pruning: %+v, %v; want the later event, applied", evs, err)
	}

	// An event not yet applied keeps its partition.
	logOnly := logOnlyStore(t, url)
	defer logOnly.Close()
	waiting := decodeDelivery(t, body("participant-joined", map[string]any{"meetingId": "waiting", "sessionId": "s", "participantId": "w"}))
	waiting.ReceivedAt = now.AddDate(0, 0, 2)
	if _, err := logOnly.Ingest(ctx, waiting); err != nil {
		t.Fatal(err)
	}
	s.Close() // its projector would apply the event
	if n, err := logOnly.Prune(ctx, now.AddDate(0, 0, 3).Truncate(24*time.Hour)); err != nil || n != 0 {
		t.Errorf("pruning a partition holding an event not yet applied: %d, %v; want nothing removed", n, err)
	}
	if got := partitionsOf(t, logOnly, "raw_events"); !got["raw_events_"+day(2)] {
		t.Errorf("the partition of an event not yet applied was dropped: %v", got)
	}
}

// TestConcurrentProviderEventIDs: two instances logging the same provider
// event at once log it once (the other answer says duplicate), though the
// partitioned log has no unique index on provider event ids.
func TestConcurrentProviderEventIDs(t *testing.T) {
	url := dbtest.PostgresDSN(t)
	a, b := openStore(t, url), openStore(t, url)
	ctx := context.Background()
	for i := 0; i < 40; i++ {
		ev := models.Event{Type: "participant.joined", ProviderEventID: fmt.Sprintf("evt-%d", i), MeetingID: "room"}
		var wg sync.WaitGroup
		results := make([]models.Result, 2)
		for j, s := range []*models.Store{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := s.Ingest(ctx, synthetic("daily", ev))
				if err != nil {
					t.Error(err)
				}
				results[j] = res
			}()
		}
		wg.Wait()
		var logged int64
		a.DB().Table("raw_events").Where("provider_event_id = ?", ev.ProviderEventID).Count(&logged)
		dups := 0
		for _, r := range results {
			if r.Outcome == models.OutcomeDuplicate {
				dups++
			}
		}
		if logged != 1 || dups != 1 || results[0].EventID != results[1].EventID {
			t.Fatalf("%s posted to two instances at once: %d rows logged, answers %+v; want one row and one duplicate", ev.ProviderEventID, logged, results)
		}
	}
}

// TestUpgradeToPartitionedLog: a log written before migration 13 keeps
// its events and their outcomes (now with their arrival times), and the
// store goes on logging and applying after it, on both databases.
func TestUpgradeToPartitionedLog(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		db := openDB(t, url, models.DBOptions{})
		if err := models.MigrateTo(db, 12); err != nil {
			t.Fatal(err)
		}
		old := time.Date(2026, 8, 15, 10, 0, 0, 0, time.UTC)
		for i, q := range []string{
			`INSERT INTO raw_events (provider, type, received_at, meeting_id, hash, body) VALUES ('videosdk', 'participant-joined', ?, 'm', 'h1', 'x')`,
			`INSERT INTO raw_events (provider, type, received_at, meeting_id, hash, body, provider_event_id) VALUES ('daily', 'meeting.started', ?, 'm', 'h2', 'y', 'evt-old')`,
			`INSERT INTO event_outcomes (event_id, outcome, detail) VALUES (1, 'applied', '')`,
			`INSERT INTO event_outcomes (event_id, outcome, detail) VALUES (2, 'stored', 'a note')`,
			`UPDATE projector_position SET event_id = 2 WHERE id = 1`,
		} {
			args := []any{}
			if i < 2 {
				args = append(args, old.Add(time.Duration(i)*time.Minute))
			}
			if err := db.Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := models.Migrate(db); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		s := models.NewStore(db, models.StoreOptions{Decode: testDecode})
		t.Cleanup(s.Close)
		ctx := context.Background()
		evs, err := s.ListEvents(ctx, models.EventFilter{})
		if err != nil || len(evs) != 2 || evs[0].Outcome != models.OutcomeStored || evs[0].Detail != "a note" || evs[1].Outcome != models.OutcomeApplied {
			t.Fatalf("the log after the upgrade: %+v, %v", evs, err)
		}
		dup, err := s.Ingest(ctx, synthetic("daily", models.Event{Type: "meeting.started", ProviderEventID: "evt-old", MeetingID: "m"}))
		if err != nil || dup.Outcome != models.OutcomeDuplicate || dup.EventID != 2 {
			t.Errorf("an event logged before the upgrade, again: %+v, %v; want a duplicate of event 2", dup, err)
		}
		res := post(t, s, body("participant-joined", map[string]any{"meetingId": "new", "sessionId": "s", "participantId": "p"}))
		if res.EventID != 3 || res.Outcome != models.OutcomeApplied {
			t.Errorf("a delivery after the upgrade: %+v; want event 3, applied", res)
		}
		if p := detail(t, s, "new").Participants; len(p) != 1 {
			t.Errorf("the models after the upgrade: %d participants, want 1", len(p))
		}
	})
}
