package models

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestEventFilterPlans: on SQLite every filter of the event log reads its
// page through an index that lists the events it keeps, newest first: no
// scan of the whole log, no sort of all it keeps. (SQLite plans without
// statistics here, so the plan is the same whatever the data.)
func TestEventFilterPlans(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "plans.db"), DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Migrate(db); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, c := range []struct {
		name  string
		f     EventFilter
		index string
	}{
		{"provider", EventFilter{Provider: "daily"}, "raw_events_provider"},
		{"type", EventFilter{Type: "participant.joined"}, "raw_events_type"},
		{"outcome", EventFilter{Outcome: OutcomeError}, "event_outcomes_outcome"},
		{"outcome, paged", EventFilter{Outcome: OutcomeApplied, BeforeID: 500}, "event_outcomes_outcome"},
		{"pending", EventFilter{Outcome: OutcomePending}, "raw_events_order"},
		{"pending, paged", EventFilter{Outcome: OutcomePending, BeforeID: 500}, "raw_events_order"},
		{"from", EventFilter{From: now}, "raw_events_received"},
		{"to", EventFilter{To: now}, "raw_events_received"},
		{"from and to", EventFilter{From: now.Add(-time.Hour), To: now}, "raw_events_received"},
		{"to, paged", EventFilter{To: now, BeforeID: 500}, "raw_events_received"},
		{"meeting and type", EventFilter{MeetingPrefix: "abc", Type: "participant.joined"}, "raw_events_"},
	} {
		sql := db.ToSQL(func(tx *gorm.DB) *gorm.DB {
			var out []RawEvent
			if c.f.Outcome == OutcomePending {
				return listPending(tx, c.f, "0", 100).Find(&out)
			}
			return listEvents(tx, c.f).Find(&out)
		})
		rows, err := db.Raw("EXPLAIN QUERY PLAN " + sql).Rows()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, c.index) || strings.Contains(text, "SCAN raw_events") || strings.Contains(text, "TEMP B-TREE") {
			t.Errorf("%s: the plan does not read through %s alone:\n%s", c.name, c.index, text)
		}
	}
}
