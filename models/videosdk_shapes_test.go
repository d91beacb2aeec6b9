package models_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestRecordingKeepsFileID: an older recording-stopped names its file by
// id too (fileId); the id is kept with the file, and the same file named
// without it, before or after, stays one file.
func TestRecordingKeepsFileID(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		for _, order := range [][]string{
			{"edge/recording-stopped-fileid", "legacy/recording-stopped"},
			{"legacy/recording-stopped", "edge/recording-stopped-fileid"},
		} {
			s := openStore(t, url)
			first := post(t, s, fixture(t, order[0]))
			second := post(t, s, fixture(t, order[1]))
			recs := detail(t, s, "jvsg-8rjn-j304").Recordings
			if len(recs) != 1 || len(recs[0].Files) != 1 || recs[0].Files[0].ID != "62d148951a1eb20029fc9b05" ||
				recs[0].Files[0].URL == "" || recs[0].Files[0].Path == "" {
				t.Fatalf("%v: recordings = %+v, want one with one file carrying its id", order, recs)
			}
			wantSecond := models.OutcomeNoChange
			if order[1] == "edge/recording-stopped-fileid" {
				wantSecond = models.OutcomeApplied // it adds the id
			}
			if first.Outcome != models.OutcomeApplied || second.Outcome != wantSecond {
				t.Errorf("%v: outcomes %s, %s; want applied, %s", order, first.Outcome, second.Outcome, wantSecond)
			}
			// Each order gets a fresh database.
			url = freshURL(t, url)
		}
	})
}

// TestFailureWithoutReasonIsNoted: a failed job keeps the provider's reason,
// and when the provider gives none the event log says so.
func TestFailureWithoutReasonIsNoted(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		res := post(t, s, fixture(t, "v2/participant-track-recording-failed"))
		ev, err := s.Event(ctx, res.EventID)
		if err != nil || res.Outcome != models.OutcomeApplied || !strings.Contains(ev.Detail, "the provider gave no reason") {
			t.Errorf("failure without a reason: outcome %s, detail %q, %v; want applied and a note", res.Outcome, ev.Detail, err)
		}
		res = post(t, s, fixture(t, "edge/participant-track-recording-failed-message"))
		ev, err = s.Event(ctx, res.EventID)
		if err != nil || strings.Contains(ev.Detail, "reason") {
			t.Errorf("failure with a reason: detail %q, %v; want no note about its reason", ev.Detail, err)
		}
		recs := detail(t, s, "jvsg-8rjn-j304").Recordings
		if len(recs) != 1 || recs[0].Status != models.StageFailed || recs[0].Message != "error message, if any" {
			t.Errorf("recordings = %+v, want one failed with the provider's message", recs)
		}
	})
}

// TestSessionEndUnreadable: a session-ended whose end cannot be read ends
// the session at the delivery's arrival, and the event log says so.
func TestSessionEndUnreadable(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		at := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
		res := postAt(t, s, fixture(t, "edge/session-ended-bad-time"), at)
		sessions := detail(t, s, "jvsg-8rjn-j304").Sessions
		if len(sessions) != 1 || sessions[0].Status != models.SessionEnded || sessions[0].EndedAt == nil || !sessions[0].EndedAt.Equal(at) {
			t.Fatalf("sessions = %+v, want one ended at the arrival time %s", sessions, at)
		}
		ev, err := s.Event(context.Background(), res.EventID)
		if err != nil || !strings.Contains(ev.Detail, "end: unparseable") || !strings.Contains(ev.Detail, "arrival time") {
			t.Errorf("detail %q, %v; want the unparseable end and the arrival time noted", ev.Detail, err)
		}
	})
}

// TestMeetinglessOutcomes: resource-acquired and ai-deployment-session-started
// name no meeting, but each makes a row of its own model (a resource, an
// agent session), so the first is applied and a repeat changes nothing.
func TestMeetinglessOutcomes(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		db := s.DB()
		for _, c := range []struct{ fixture, table string }{
			{"legacy/resource-acquired", "resources"},
			{"legacy/ai-deployment-session-started", "agent_sessions"},
		} {
			count := func() (n int64) {
				if err := db.Table(c.table).Count(&n).Error; err != nil {
					t.Fatal(err)
				}
				return n
			}
			before := count()
			first := post(t, s, fixture(t, c.fixture))
			made := count() - before
			again := post(t, s, fixture(t, c.fixture))
			if first.Outcome != models.OutcomeApplied || made != 1 || again.Outcome != models.OutcomeNoChange || count() != before+1 {
				t.Errorf("%s: outcomes %s then %s, %d row(s) made; want applied with one row, then no-change",
					c.fixture, first.Outcome, again.Outcome, made)
			}
		}
	})
}
