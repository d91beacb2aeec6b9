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

// callStep is a VideoSDK call event of a call bridged into a meeting.
func callStep(meeting, callID, typ, status string) []byte {
	return body(typ, map[string]any{"callId": callID, "roomId": meeting, "type": "outbound", "from": "+1", "to": "+2", "status": status})
}

// TestListStatusFilter: each list keeps the rows in the status asked for,
// with the meeting filter too; the calls list's "failed" keeps the calls
// with a failed step, whatever their latest status.
func TestListStatusFilter(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		job := func(typ, meeting, id string) {
			t.Helper()
			post(t, s, body(typ, map[string]any{"meetingId": meeting, "sessionId": "s-" + meeting, "id": id, "message": "reason of " + id}))
		}
		job("recording-started", "a-1", "rec-ok")
		job("recording-stopped", "a-1", "rec-ok")
		job("recording-failed", "a-1", "rec-bad")
		job("recording-failed", "b-1", "rec-bad-b")
		job("hls-playable", "a-1", "hls-ok")
		job("hls-failed", "a-1", "hls-bad")
		job("livestream-started", "b-1", "ls-on")
		// A transfer that failed, then the call hung up: a failed call.
		post(t, s, callStep("a-1", "call-transfer", "call-transfer-failed", "TRANSFER_FAILED"))
		post(t, s, callStep("a-1", "call-transfer", "call-hangup", "HANGUP"))
		// Missed: the callee's doing, no failure.
		post(t, s, callStep("a-1", "call-missed", "call-missed", "MISSED"))
		post(t, s, callStep("b-1", "call-switch", "switch-room-failed", "SWITCH_ROOM_FAILED"))

		recordings := func(prefix, status string) string {
			t.Helper()
			rows, err := s.ListRecordings(ctx, models.ListFilter{Prefix: prefix, Status: status})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range rows {
				ids = append(ids, r.ExternalID)
			}
			slices.Sort(ids)
			return strings.Join(ids, " ")
		}
		streams := func(prefix, status string) string {
			t.Helper()
			rows, err := s.ListStreams(ctx, models.ListFilter{Prefix: prefix, Status: status})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range rows {
				ids = append(ids, r.ExternalID)
			}
			slices.Sort(ids)
			return strings.Join(ids, " ")
		}
		calls := func(prefix, status string) string {
			t.Helper()
			rows, err := s.ListCalls(ctx, models.ListFilter{Prefix: prefix, Status: status})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range rows {
				ids = append(ids, fmt.Sprintf("%s(%d steps)", r.CallID, len(r.Steps)))
			}
			slices.Sort(ids)
			return strings.Join(ids, " ")
		}
		for _, c := range []struct{ what, got, want string }{
			{"recordings", recordings("", ""), "rec-bad rec-bad-b rec-ok"},
			{"failed recordings", recordings("", "failed"), "rec-bad rec-bad-b"},
			{"failed recordings of a-", recordings("a-", "failed"), "rec-bad"},
			{"stopped recordings", recordings("", "stopped"), "rec-ok"},
			{"starting recordings", recordings("", "starting"), ""},
			{"failed streams", streams("", "failed"), "hls-bad"},
			{"playable streams", streams("a-1", "playable"), "hls-ok"},
			{"live streams (started or playable)", streams("", models.StreamLive), "hls-ok ls-on"},
			{"failed streams of b-", streams("b-", "failed"), ""},
			{"calls", calls("", ""), "call-missed(1 steps) call-switch(1 steps) call-transfer(2 steps)"},
			{"failed calls", calls("", models.CallFailed), "call-switch(1 steps) call-transfer(2 steps)"},
			{"failed calls of a-", calls("a-", models.CallFailed), "call-transfer(2 steps)"},
		} {
			if c.got != c.want {
				t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
			}
		}
		if _, err := s.ListCalls(ctx, models.ListFilter{Status: "MISSED"}); err == nil {
			t.Error("the calls list took a status it does not filter by")
		}

		// Newest first within a status, and paged.
		later := time.Now().UTC().Add(time.Minute)
		postAt(t, s, body("recording-failed", map[string]any{"meetingId": "a-2", "sessionId": "s", "id": "rec-newest"}), later)
		rows, err := s.ListRecordings(ctx, models.ListFilter{Status: "failed", Limit: 2})
		if err != nil || len(rows) != 2 || rows[0].ExternalID != "rec-newest" {
			t.Errorf("first page of failed recordings: %+v %v", rows, err)
		}
		rows, err = s.ListRecordings(ctx, models.ListFilter{Status: "failed", Limit: 2, Offset: 2})
		if err != nil || len(rows) != 1 {
			t.Errorf("second page of failed recordings: %+v %v", rows, err)
		}
	})
}

// TestStatusValuesAreStages: every value of the lifecycle lists' filters
// is a stage the models know, but the streams' first, StreamLive.
func TestStatusValuesAreStages(t *testing.T) {
	for _, v := range append(models.RecordingStatuses(), models.StreamStatuses()[1:]...) {
		if models.Stage(v).Rank() == 0 {
			t.Errorf("status filter value %q is no stage", v)
		}
	}
}
