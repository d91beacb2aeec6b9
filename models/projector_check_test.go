package models_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/videosdk"
	"github.com/meetboard/meetboard/models"
	"gorm.io/gorm"
)

// joinBody is a VideoSDK participant-joined body: participant joins the
// session "s-" + meeting of meeting. With a participant id used once, the
// projector can only ever apply it as OutcomeApplied; applying it a second
// time finds the participant present and says OutcomeNoChange.
func joinBody(meeting, participant string) []byte {
	return body("participant-joined", map[string]any{"meetingId": meeting, "sessionId": "s-" + meeting,
		"participantId": participant, "participantName": "Name of " + participant})
}

// logJoin inserts a join's event log row in tx, as a committer does but in
// a transaction the test holds: the row's xid is that transaction's.
func logJoin(tx *gorm.DB, meeting, participant string) (uint64, error) {
	b := joinBody(meeting, participant)
	sum := sha256.Sum256(b)
	r := models.RawEvent{Provider: videosdk.Provider, Type: "participant-joined", ReceivedAt: time.Now().UTC(),
		MeetingID: meeting, SessionID: "s-" + meeting, Hash: hex.EncodeToString(sum[:]), Body: b}
	err := tx.Create(&r).Error
	return r.ID, err
}

// joins is a set of participant ids, safe for concurrent use: the joins a
// test knows were committed (or rolled back).
type joins struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (j *joins) add(id string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.ids == nil {
		j.ids = map[string]bool{}
	}
	j.ids[id] = true
}

func (j *joins) has(id string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.ids[id]
}

// list is the set's ids.
func (j *joins) list() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]string, 0, len(j.ids))
	for id := range j.ids {
		out = append(out, id)
	}
	return out
}

func (j *joins) len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.ids)
}

// participantOf reads the participant id out of a VideoSDK body.
func participantOf(t *testing.T, b []byte) string {
	t.Helper()
	var v struct {
		Data struct {
			ParticipantID string `json:"participantId"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("event log body %q: %v", b, err)
	}
	return v.Data.ParticipantID
}

// checkExactlyOnce checks, for the meetings whose ids start with prefix,
// that the event log and the models hold the committed joins exactly once
// and the rolled-back ones nowhere:
//
//   - the log holds one row per committed join and none other;
//   - each of those rows has exactly one outcome, and it is OutcomeApplied
//     (a join applied twice leaves OutcomeNoChange, a join passed over
//     leaves none);
//   - no outcome names an event that is not in the log (a rolled-back row);
//   - the participants are the committed joins, each once, each with one
//     attendance.
func checkExactlyOnce(t *testing.T, db *gorm.DB, prefix string, committed, rolledBack *joins) {
	t.Helper()
	var logged []struct {
		ID       uint64
		Body     []byte
		N        int
		Outcomes string
	}
	err := db.Raw(`SELECT r.id, r.body, COUNT(o.event_id) AS n, COALESCE(MIN(o.outcome), '') || '/' || COALESCE(MAX(o.outcome), '') AS outcomes
		FROM raw_events r LEFT JOIN event_outcomes o ON o.event_id = r.id
		WHERE r.meeting_id LIKE ? GROUP BY r.id, r.body ORDER BY r.id`, prefix+"%").Scan(&logged).Error
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	inLog := map[string]int{}
	for _, r := range logged {
		p := participantOf(t, r.Body)
		inLog[p]++
		switch {
		case !committed.has(p):
			problems = append(problems, fmt.Sprintf("event %d: join %q is in the log but was not committed", r.ID, p))
		case r.N != 1:
			problems = append(problems, fmt.Sprintf("event %d (join %q): %d outcomes, want 1", r.ID, p, r.N))
		case r.Outcomes != models.OutcomeApplied+"/"+models.OutcomeApplied:
			problems = append(problems, fmt.Sprintf("event %d (join %q): outcome %s, want %s (applied twice?)", r.ID, p, r.Outcomes, models.OutcomeApplied))
		}
	}
	for _, p := range committed.list() {
		if inLog[p] != 1 {
			problems = append(problems, fmt.Sprintf("committed join %q: %d log rows, want 1", p, inLog[p]))
		}
	}

	var orphans []uint64
	if err := db.Raw(`SELECT o.event_id FROM event_outcomes o LEFT JOIN raw_events r ON r.id = o.event_id
		WHERE r.id IS NULL ORDER BY o.event_id`).Scan(&orphans).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range orphans {
		problems = append(problems, fmt.Sprintf("event %d has an outcome but is not in the log (a rolled-back row?)", id))
	}

	var people []struct {
		ParticipantID string
		Rows          int
		Visits        int
	}
	err = db.Raw(`SELECT p.participant_id, COUNT(DISTINCT p.id) AS rows, COUNT(a.id) AS visits
		FROM participants p JOIN meetings m ON m.id = p.meeting_ref LEFT JOIN attendances a ON a.participant_ref = p.id
		WHERE m.meeting_id LIKE ? GROUP BY p.participant_id`, prefix+"%").Scan(&people).Error
	if err != nil {
		t.Fatal(err)
	}
	modelled := map[string]bool{}
	for _, p := range people {
		modelled[p.ParticipantID] = true
		switch {
		case rolledBack != nil && rolledBack.has(p.ParticipantID):
			problems = append(problems, fmt.Sprintf("participant %q comes from a rolled-back transaction", p.ParticipantID))
		case !committed.has(p.ParticipantID):
			problems = append(problems, fmt.Sprintf("participant %q was never committed", p.ParticipantID))
		case p.Rows != 1 || p.Visits != 1:
			problems = append(problems, fmt.Sprintf("participant %q: %d rows and %d attendances, want 1 and 1", p.ParticipantID, p.Rows, p.Visits))
		}
	}
	for _, p := range committed.list() {
		if !modelled[p] {
			problems = append(problems, fmt.Sprintf("committed join %q is missing from the participants", p))
		}
	}

	if len(problems) > 0 {
		shown := problems[:min(len(problems), 15)]
		t.Errorf("%d log rows, %d committed joins: %d problems, first %d:\n  %s", len(logged), committed.len(), len(problems), len(shown),
			strings.Join(shown, "\n  "))
	}
}
