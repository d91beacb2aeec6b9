package models_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// commitBatch commits deliveries as one transaction, in the order given,
// and checks it took one transaction: a batch that failed as a whole is
// committed again one delivery at a time, which would hide its bugs.
func commitBatch(t *testing.T, s *models.Store, ds []models.Delivery) []models.Result {
	t.Helper()
	var before, after int64
	s.DB().Table("changes").Count(&before)
	res, err := s.CommitBatch(ds)
	if err != nil {
		t.Fatal(err)
	}
	if s.DB().Table("changes").Count(&after); after != before+1 {
		t.Errorf("the batch took %d transactions", after-before)
	}
	for i, r := range res {
		if r.EventID == 0 {
			t.Errorf("delivery %d (%s) has no event id: %+v", i, ds[i].Event.Type, r)
		}
	}
	return res
}

// TestOneBatchAnyOrder: a meeting's whole story committed in a single
// transaction, shuffled and with repeats, ends where the story delivered
// one webhook at a time does. The batch loads and writes the meeting's rows
// once, so this checks that the deliveries see each other's changes.
func TestOneBatchAnyOrder(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		for _, b := range meetingStory("m-0") {
			post(t, s, b)
		}
		want := shape(t, detail(t, s, "m-0"))
		for round := 1; round <= 12; round++ {
			id := fmt.Sprintf("m-%d", round)
			rng := rand.New(rand.NewSource(int64(round)))
			bodies := meetingStory(id)
			if round > 1 { // round 1 keeps the story's order
				for _, i := range rng.Perm(len(bodies)) {
					if rng.Intn(3) == 0 && !strings.Contains(string(bodies[i]), "participant-joined") {
						bodies = append(bodies, bodies[i])
					}
				}
				rng.Shuffle(len(bodies), func(i, j int) { bodies[i], bodies[j] = bodies[j], bodies[i] })
			}
			ds := make([]models.Delivery, len(bodies))
			for i, b := range bodies {
				ds[i] = decodeDelivery(t, b)
			}
			commitBatch(t, s, ds)
			got := strings.ReplaceAll(shape(t, detail(t, s, id)), id, "m-0")
			if got != want {
				t.Fatalf("round %d: one batch differs from one at a time\none at a time: %s\none batch: %s", round, want, got)
			}
		}
	})
}

// TestOneBatchSessionless: Daily's story, where participant events name no
// session and a placeholder session takes the id the meeting's start
// names, gives the same state in one transaction as one at a time.
func TestOneBatchSessionless(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		story := func(room string) []models.Delivery {
			start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
			end := start.Add(30 * time.Minute)
			at := func(ev models.Event) models.Delivery {
				ev.MeetingID, ev.ProviderEventID = room, room+"/"+ev.ProviderEventID
				return synthetic("daily", ev)
			}
			person := func(id, typ string, left bool) models.Delivery {
				return at(models.Event{Type: typ, ProviderEventID: typ + "/" + id,
					Participant: &models.ParticipantChange{ParticipantID: id, Name: strings.ToUpper(id), Left: left}})
			}
			return []models.Delivery{
				person("u1", "participant.joined", false),
				person("u2", "participant.joined", false),
				at(models.Event{Type: "meeting.started", ProviderEventID: "ms", SessionID: "mtg-" + room, Session: &models.SessionChange{Start: &start}}),
				person("u3", "participant.joined", false),
				person("u2", "participant.left", true),
				person("u2", "participant.left", true), // redelivered: a duplicate
				at(models.Event{Type: "meeting.ended", ProviderEventID: "me", SessionID: "mtg-" + room, Session: &models.SessionChange{Ended: true, Start: &start, End: &end}}),
				person("u1", "participant.left", true), // after the end: keeps the real reason
			}
		}
		for _, d := range story("one-by-one") {
			if _, err := s.CommitBatch([]models.Delivery{d}); err != nil {
				t.Fatal(err)
			}
		}
		want := strings.ReplaceAll(shape(t, detail(t, s, "one-by-one")), "one-by-one", "room")
		res := commitBatch(t, s, story("batched"))
		got := strings.ReplaceAll(shape(t, detail(t, s, "batched")), "batched", "room")
		if got != want {
			t.Fatalf("one batch differs from one at a time\none at a time: %s\none batch: %s", want, got)
		}
		d := detail(t, s, "batched")
		if len(d.Sessions) != 1 || d.Sessions[0].SessionID != "mtg-batched" || d.Sessions[0].Status != models.SessionEnded {
			t.Errorf("sessions: %+v", d.Sessions)
		}
		for _, p := range d.Participants {
			if p.Present || p.SessionID != "mtg-batched" {
				t.Errorf("participant after the end: %+v", p)
			}
		}
		if res[5].Outcome != models.OutcomeDuplicate || res[5].EventID != res[4].EventID {
			t.Errorf("a redelivery in the same batch: %+v, first %+v", res[5], res[4])
		}

		// A participant waiting in the placeholder, then, in one batch, the
		// session named and an event naming it for that participant.
		start := time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC)
		ingestEvent(t, s, "daily", models.Event{Type: "participant.joined", ProviderEventID: "late/j", MeetingID: "late",
			Participant: &models.ParticipantChange{ParticipantID: "u9", Name: "Nine"}})
		started := models.Event{Type: "meeting.started", ProviderEventID: "late/ms", MeetingID: "late", SessionID: "mtg-late", Session: &models.SessionChange{Start: &start}}
		left := models.Event{Type: "participant.left", ProviderEventID: "late/l", MeetingID: "late", SessionID: "mtg-late",
			Participant: &models.ParticipantChange{ParticipantID: "u9", Left: true, Reason: "user-left"}}
		commitBatch(t, s, []models.Delivery{synthetic("daily", started), synthetic("daily", left)})
		if p := detail(t, s, "late").Participants; len(p) != 1 || p[0].Present || p[0].SessionID != "mtg-late" || len(p[0].Attendances) != 1 {
			t.Errorf("the placeholder's participant after the session was named: %+v", p)
		}
	})
}

// TestOneBatchRepeatsAndLog: every delivery of a batch is logged once with
// its own id, in order; an identical body later in the same batch is marked
// a repeat.
func TestOneBatchRepeatsAndLog(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		join := body("participant-joined", map[string]any{"meetingId": "r", "sessionId": "s", "participantId": "p"})
		left := body("participant-left", map[string]any{"meetingId": "r", "sessionId": "s", "participantId": "p"})
		res := commitBatch(t, s, []models.Delivery{decodeDelivery(t, join), decodeDelivery(t, left), decodeDelivery(t, left)})
		if res[0].Repeat || res[1].Repeat || !res[2].Repeat {
			t.Errorf("repeat flags: %+v", res)
		}
		if !(res[0].EventID < res[1].EventID && res[1].EventID < res[2].EventID) {
			t.Errorf("event ids out of order: %+v", res)
		}
		want := []string{models.OutcomeApplied, models.OutcomeApplied, models.OutcomeNoChange}
		for i, r := range res {
			if r.Outcome != want[i] {
				t.Errorf("delivery %d: outcome %q, want %q", i, r.Outcome, want[i])
			}
		}
		if p := detail(t, s, "r").Participants; len(p) != 1 || p[0].Present || len(p[0].Attendances) != 1 {
			t.Errorf("participants: %+v", p)
		}
	})
}

// TestOneBadDeliveryInABatch: a delivery the database refuses (PostgreSQL
// takes no NUL in text) is logged with the error, and the deliveries
// batched with it are applied.
func TestOneBadDeliveryInABatch(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		join := func(id, name string) models.Delivery {
			ev := models.Event{Type: "participant-joined", MeetingID: "bad", SessionID: "s",
				Participant: &models.ParticipantChange{ParticipantID: id, Name: name}}
			return synthetic("videosdk", ev)
		}
		res, err := s.CommitBatch([]models.Delivery{join("a", "Ann"), join("b", "B\x00b"), join("c", "Cy")})
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Outcome != models.OutcomeApplied || res[2].Outcome != models.OutcomeApplied {
			t.Errorf("the good deliveries: %+v", res)
		}
		wantBad := models.OutcomeApplied
		if strings.HasPrefix(url, "postgres") {
			wantBad = models.OutcomeError
		}
		if res[1].Outcome != wantBad || res[1].EventID == 0 {
			t.Errorf("the bad delivery: %+v, want outcome %q", res[1], wantBad)
		}
		present := 0
		for _, p := range detail(t, s, "bad").Participants {
			if p.Present {
				present++
			}
		}
		if want := map[bool]int{true: 2, false: 3}[wantBad == models.OutcomeError]; present != want {
			t.Errorf("%d present, want %d", present, want)
		}
	})
}
