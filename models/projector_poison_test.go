package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
	"gorm.io/gorm"
)

// refusal is the error of the trigger refusePoison installs.
const refusal = "participant refused by the test"

// refusePoison makes the database refuse to insert a participant named
// "Poison", as it would refuse a value it cannot store, and returns what
// lifts the refusal (the fix).
func refusePoison(t *testing.T, db *gorm.DB, pg bool) (fix func()) {
	t.Helper()
	stmts := []string{`CREATE TRIGGER refuse_poison BEFORE INSERT ON participants
		WHEN NEW.name = 'Poison' BEGIN SELECT RAISE(ABORT, '` + refusal + `'); END`}
	drop := "DROP TRIGGER refuse_poison"
	if pg {
		stmts = []string{`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.name = 'Poison' THEN RAISE EXCEPTION '` + refusal + `'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER refuse_poison BEFORE INSERT ON participants FOR EACH ROW EXECUTE FUNCTION refuse_poison()`}
		drop = "DROP TRIGGER refuse_poison ON participants"
	}
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		t.Helper()
		if err := db.Exec(drop).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// TestPoisonDeliveryCostsOthersNothing: a delivery that cannot be applied
// (the database refuses its participant), logged in one batch with 500
// valid ones, is recorded as an error with the database's error in its
// detail; the 500 are applied, promptly, and so is a delivery after it.
// On PostgreSQL a second poison, a NUL in a name, sits in the same batch.
// Reapply of a poison applies it again: an error while the cause stays, the
// change once it is fixed. Reapply of an event not applied yet, or of no
// event, says so.
func TestPoisonDeliveryCostsOthersNothing(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		pg := strings.HasPrefix(url, "postgres")
		s := openStore(t, url)
		ctx := context.Background()
		fix := refusePoison(t, s.DB(), pg)
		join := func(meeting, id, name string) models.Delivery {
			return synthetic("videosdk", models.Event{Type: "participant-joined", MeetingID: meeting, SessionID: "s",
				Participant: &models.ParticipantChange{ParticipantID: id, Name: name}})
		}
		var ds []models.Delivery
		for i := range 500 {
			ds = append(ds, join(fmt.Sprintf("poison-%d", i%5), fmt.Sprintf("p%d", i), "Valid"))
		}
		const refused, nul = 250, 400
		ds = append(ds[:refused], append([]models.Delivery{join("poison-0", "refused", "Poison")}, ds[refused:]...)...)
		poisons := map[int]string{refused: refusal}
		if pg {
			ds = append(ds[:nul], append([]models.Delivery{join("poison-1", "nul", "N\x00l")}, ds[nul:]...)...)
			poisons[nul] = "invalid byte sequence"
		}

		start := time.Now()
		res, err := s.CommitBatch(ds) // waits up to 30 s for them to be applied
		if err != nil {
			lag, _ := s.Lag(ctx)
			t.Fatalf("%v after %v: %d of the %d deliveries still wait to be applied", err, time.Since(start).Round(time.Millisecond), lag.Events, len(ds))
		}
		t.Logf("%d deliveries with %d poisoned applied in %v", len(ds), len(poisons), time.Since(start).Round(time.Millisecond))
		for i, r := range res {
			want := models.OutcomeApplied
			if poisons[i] != "" {
				want = models.OutcomeError
			}
			if r.Outcome != want {
				t.Errorf("delivery %d (event %d): outcome %q, want %q", i, r.EventID, r.Outcome, want)
			}
		}
		for i, cause := range poisons {
			ev, err := s.Event(ctx, res[i].EventID)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Outcome != models.OutcomeError || !strings.Contains(ev.Detail, "apply failed") || !strings.Contains(ev.Detail, cause) {
				t.Errorf("the poisoned event %d: outcome %q, detail %q; want %q with the error (%q)", ev.ID, ev.Outcome, ev.Detail, models.OutcomeError, cause)
			}
		}
		var people int64
		if err := s.DB().Model(&models.Participant{}).Count(&people).Error; err != nil {
			t.Fatal(err)
		}
		if people != 500 {
			t.Errorf("%d participants, want the 500 valid joins", people)
		}

		// The projector goes on.
		after, err := s.Ingest(ctx, join("poison-2", "after", "After"))
		if err != nil {
			t.Fatal(err)
		}
		wait, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if r, err := s.Applied(wait, after); err != nil || r.Outcome != models.OutcomeApplied {
			t.Fatalf("a delivery after the poisoned ones: %+v, %v", r, err)
		}

		// Reapply while the cause stays: an error again, recorded again.
		out, err := s.Reapply(ctx, res[refused].EventID)
		if err != nil || out.Outcome != models.OutcomeError {
			t.Errorf("reapply while still refused: %+v, %v; want outcome %q", out, err, models.OutcomeError)
		}
		if ev, err := s.Event(ctx, res[refused].EventID); err != nil || ev.Outcome != models.OutcomeError || !strings.Contains(ev.Detail, refusal) {
			t.Errorf("after a failed reapply the event says %q, %q (%v)", ev.Outcome, ev.Detail, err)
		}
		if pg {
			if out, err := s.Reapply(ctx, res[nul].EventID); err != nil || out.Outcome != models.OutcomeError {
				t.Errorf("reapply of the NUL name: %+v, %v; want outcome %q", out, err, models.OutcomeError)
			}
		}
		// Once fixed, Reapply applies it.
		fix()
		out, err = s.Reapply(ctx, res[refused].EventID)
		if err != nil || out.Outcome != models.OutcomeApplied {
			t.Errorf("reapply once fixed: %+v, %v; want outcome %q", out, err, models.OutcomeApplied)
		}
		if ev, err := s.Event(ctx, res[refused].EventID); err != nil || ev.Outcome != models.OutcomeApplied || strings.Contains(ev.Detail, refusal) {
			t.Errorf("after the fix the event says %q, %q (%v)", ev.Outcome, ev.Detail, err)
		}
		if p := detail(t, s, "poison-0").Participants; !hasParticipant(p, "refused") {
			t.Errorf("the reapplied join is not among the participants")
		}
		// A valid event applied again changes nothing.
		if out, err := s.Reapply(ctx, res[0].EventID); err != nil || out.Outcome != models.OutcomeNoChange {
			t.Errorf("reapply of an applied event: %+v, %v; want outcome %q", out, err, models.OutcomeNoChange)
		}

		// An event not applied yet: a store with no decoder logs and never
		// applies.
		s.Close()
		logOnly := models.NewStore(s.DB(), models.StoreOptions{})
		defer logOnly.Close()
		pending, err := logOnly.Ingest(ctx, join("poison-3", "pending", "Pending"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := logOnly.Reapply(ctx, pending.EventID); !errors.Is(err, models.ErrNotApplied) {
			t.Errorf("reapply of a pending event: %v, want %v", err, models.ErrNotApplied)
		}
		if _, err := logOnly.Reapply(ctx, pending.EventID+1000); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("reapply of no event: %v, want %v", err, models.ErrNotFound)
		}
	})
}

// hasParticipant reports whether a participant with that id is listed.
func hasParticipant(ps []models.Participant, id string) bool {
	for _, p := range ps {
		if p.ParticipantID == id {
			return true
		}
	}
	return false
}
