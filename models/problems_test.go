package models_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// problemLine sums a problem up for comparison.
func problemLine(p models.Problem) string {
	return fmt.Sprintf("%s %s %s", p.Kind, p.MeetingID, p.What)
}

func problemLines(ps []models.Problem) string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = problemLine(p)
	}
	return strings.Join(lines, "\n")
}

// TestProblems posts something that goes wrong of each kind, a minute
// apart, among things that go right, and reads the problems back: each
// kind with its reason and link, newest first, filtered by meeting, since
// a time, and limited.
func TestProblems(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStoreWith(t, url, models.StoreOptions{StaleAfter: time.Hour})
		ctx := context.Background()
		start := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Second)
		minute := 0
		send := func(typ string, data map[string]any) {
			t.Helper()
			minute++
			postAt(t, s, body(typ, data), start.Add(time.Duration(minute)*time.Minute))
		}
		job := func(typ, meeting string, more ...any) {
			t.Helper()
			d := map[string]any{"meetingId": meeting, "sessionId": "s-" + meeting, "id": "id-" + typ}
			for i := 0; i+1 < len(more); i += 2 {
				d[more[i].(string)] = more[i+1]
			}
			send(typ, d)
		}
		person := func(typ, meeting, id string) {
			t.Helper()
			d := map[string]any{"meetingId": meeting, "sessionId": "s-" + meeting, "participantId": id, "participantName": "Name " + id}
			if typ == "participant-left" {
				// A leave after the end replaces the end's reason only
				// when it gives one of its own.
				d["reason"] = "user-left"
			}
			send(typ, d)
		}

		// A room silent for two hours turned stale an hour ago.
		silent := start.Add(-2 * time.Hour)
		postAt(t, s, body("session-started", map[string]any{"meetingId": "p-stale", "sessionId": "s-p-stale"}), silent)
		job("recording-stopped", "ok-rec")
		job("recording-failed", "p-rec", "message", "storage refused the upload")
		job("composite-merge-failed", "p-merge")
		job("hls-failed", "p-hls", "message", "no media")
		send("call-missed", map[string]any{"callId": "c-missed", "roomId": "ok-call", "status": "MISSED"})
		send("call-transfer-failed", map[string]any{"callId": "c-1", "roomId": "p-call", "from": "+1", "to": "+2", "status": "TRANSFER_FAILED"})
		send("call-hangup", map[string]any{"callId": "c-1", "roomId": "p-call", "status": "HANGUP"})
		job("transcription-failed", "p-trans", "message", "language not supported")
		send("agent-session-failed", map[string]any{"meetingId": "p-agent", "agentId": "ag-1", "message": "agent crashed"})
		// Everyone left before the end: no problem.
		person("participant-joined", "ok-ended", "a")
		person("participant-left", "ok-ended", "a")
		job("session-ended", "ok-ended")
		// Two never left; a third's leave came after the end.
		for _, p := range []string{"a", "b", "c"} {
			person("participant-joined", "p-noleave", p)
		}
		job("session-ended", "p-noleave")
		person("participant-left", "p-noleave", "c")

		want := []string{
			"no-leave p-noleave session s-p-noleave",
			"agent-failed p-agent agent session of agent ag-1",
			"transcription-failed p-trans transcription",
			"call-failed p-call call +1 → +2",
			"stream-failed p-hls HLS stream",
			"recording-failed p-merge composite merge",
			"recording-failed p-rec recording",
			"stale-room p-stale session s-p-stale",
		}
		all, err := s.Problems(ctx, models.ProblemFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got := problemLines(all); got != strings.Join(want, "\n") {
			t.Fatalf("problems:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
		}
		byKind := map[models.ProblemKind]models.Problem{}
		for _, p := range all {
			byKind[p.Kind] = p
			if p.Provider != "videosdk" || p.At.IsZero() {
				t.Errorf("%s: provider %q, at %v", p.Kind, p.Provider, p.At)
			}
		}
		for _, c := range []struct {
			kind         models.ProblemKind
			reason, link string
		}{
			{models.ProblemRecording, "storage refused the upload", "/meetings/p-rec#meeting-recordings"},
			{models.ProblemStream, "no media", "/meetings/p-hls#meeting-streams"},
			{models.ProblemCall, "call-transfer-failed: TRANSFER_FAILED", "/meetings/p-call#meeting-calls"},
			{models.ProblemTranscription, "language not supported", "/meetings/p-trans#meeting-transcriptions"},
			{models.ProblemAgent, "agent crashed", "/meetings/p-agent#meeting-agents"},
			{models.ProblemStaleRoom, "no event for 1h", "/meetings/p-stale#meeting-sessions"},
			{models.ProblemNoLeave, "2 people still in the room, whose leave never came: Name a, Name b", "/meetings/p-noleave#meeting-participants"},
		} {
			p := byKind[c.kind]
			if !strings.Contains(p.Reason, c.reason) || p.Link != c.link {
				t.Errorf("%s: reason %q, link %q; want %q in the reason, link %q", c.kind, p.Reason, p.Link, c.reason, c.link)
			}
		}
		if p := byKind[models.ProblemRecording]; !p.At.Equal(start.Add(2 * time.Minute)) {
			t.Errorf("the failed recording's time is %v, want its arrival %v", p.At, start.Add(2*time.Minute))
		}
		if p := byKind[models.ProblemStaleRoom]; !p.At.Equal(silent.Add(time.Hour)) {
			t.Errorf("the stale room's time is %v, want an hour after its last event", p.At)
		}

		// The meeting filter, a start time and the limit.
		if got, _ := s.Problems(ctx, models.ProblemFilter{Prefix: "p-r"}); problemLines(got) != "recording-failed p-rec recording" {
			t.Errorf("problems of p-r: %s", problemLines(got))
		}
		since := start.Add(6 * time.Minute)
		if got, _ := s.Problems(ctx, models.ProblemFilter{Since: since}); problemLines(got) != strings.Join(want[:4], "\n") {
			t.Errorf("problems since minute 6:\n%s", problemLines(got))
		}
		if got, _ := s.Problems(ctx, models.ProblemFilter{Since: silent.Add(time.Hour)}); len(got) != len(want) {
			t.Errorf("problems since the room turned stale:\n%s", problemLines(got))
		}
		if got, _ := s.Problems(ctx, models.ProblemFilter{Limit: 3}); problemLines(got) != strings.Join(want[:3], "\n") {
			t.Errorf("the newest 3 problems:\n%s", problemLines(got))
		}

		// A leave for everyone still in the room ends that problem; an
		// event of the stale room makes it live again.
		person("participant-left", "p-noleave", "a")
		person("participant-left", "p-noleave", "b")
		job("participant-joined", "p-stale", "participantId", "back")
		got, _ := s.Problems(ctx, models.ProblemFilter{})
		if lines := problemLines(got); strings.Contains(lines, "no-leave") || strings.Contains(lines, "stale-room") {
			t.Errorf("after the leaves and the stale room's event:\n%s", lines)
		}
	})
}

// TestProblemsPages pages through problems one at a time, with problems of
// several kinds at the very same time: every problem comes once, in the
// order of the whole list.
func TestProblemsPages(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		for i := range 3 {
			for _, typ := range []string{"recording-failed", "hls-failed", "transcription-failed"} {
				postAt(t, s, body(typ, map[string]any{"meetingId": fmt.Sprintf("m-%d", i), "sessionId": "s", "id": fmt.Sprintf("%s-%d", typ, i)}), at)
			}
			if i == 1 {
				at = at.Add(time.Second)
			}
		}
		all, err := s.Problems(ctx, models.ProblemFilter{})
		if err != nil || len(all) != 9 {
			t.Fatalf("%d problems, want 9: %v", len(all), err)
		}
		for _, limit := range []int{1, 2, 4} {
			var got []models.Problem
			f := models.ProblemFilter{Limit: limit}
			for range 20 {
				page, err := s.Problems(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, page...)
				if len(page) < limit {
					break
				}
				c, err := models.ParseProblemCursor(page[len(page)-1].Cursor().String())
				if err != nil {
					t.Fatal(err)
				}
				f.Before = &c
			}
			if a, b := problemLines(got), problemLines(all); a != b {
				t.Errorf("pages of %d:\n%s\nwant:\n%s", limit, a, b)
			}
		}
	})
}

// TestProblemCursorText: a cursor reads back from its text, and text that
// is no cursor is refused.
func TestProblemCursorText(t *testing.T) {
	c := models.ProblemCursor{At: time.Date(2026, 1, 2, 3, 4, 5, 6789, time.UTC), Kind: models.ProblemStaleRoom, Ref: 42}
	back, err := models.ParseProblemCursor(c.String())
	if err != nil || back != c {
		t.Errorf("%s reads back as %+v, %v", c, back, err)
	}
	for _, bad := range []string{"", "1.stale-room", "x.stale-room.1", "1.unknown.1", "1.stale-room.-1", "1.stale-room.1.2"} {
		if _, err := models.ParseProblemCursor(bad); err == nil {
			t.Errorf("%q read as a cursor", bad)
		}
	}
}
