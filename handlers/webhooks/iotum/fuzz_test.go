package iotum

import (
	"errors"
	"strings"
	"testing"

	"github.com/meetboard/meetboard/handlers/webhooks/webhooktest"
	"github.com/meetboard/meetboard/models"
)

// lenientBodies decode without error however odd they are.
var lenientBodies = []string{
	`{"event":"x"}`,
	`{"event":"conference_start","payload":null}`,
	`{"event":"conference_end","payload":"{\"conference_id\":-0.5e3}","timestamp":"2022-08-24T20:56:55.000Z"}`,
	`{"event":"dialout_status_change","payload":"{\"conference_id\":\"7\",\"phone_number\":\"+1\"}","timestamp":"yesterday"}`,
	`{"event":"leave_conference","payload":"{\"conference_id\":7,\"participant_id\":[1],\"reason_for_leaving\":{}}","timestamp":1}`,
	"{\"event\":\"enter_conference\",\"payload\":\"{\\\"conference_id\\\":\\\"\\\\u0000\xff\\\",\\\"participant_id\\\":1}\"}",
	`{"event":"recording_ready","payload":"{\"conference_id\":7,\"download_link\":\"https://x/y.mp4\"}","timestamp":"9999-12-31T23:00:00-05:00"}`,
}

func FuzzDecode(f *testing.F) {
	webhooktest.SeedFixtures(f, "", "edge", "malformed")
	webhooktest.SeedBodies(f, malformedBodies, lenientBodies)
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, ok := webhooktest.CheckDecode(t, Decode, ErrMalformed, body)
		if !ok {
			return
		}
		checkShape(t, ev)
	})
}

// checkShape, after webhooktest.CheckDecode (at most one change, times
// in UTC and in range): a change of a conference has its meeting, session
// and key; stages are known, except that a stream preview has none and a
// preview URL instead.
func checkShape(t *testing.T, ev models.Event) {
	t.Helper()
	if ev.MeetingID != ev.SessionID {
		t.Errorf("MeetingID %q != SessionID %q: an iotum conference is one run", ev.MeetingID, ev.SessionID)
	}
	if ev.HasChange() && ev.MeetingID == "" {
		t.Errorf("a change with no conference: %s", webhooktest.Dump(ev))
	}
	var stage models.Stage
	var key string
	switch {
	case ev.Recording != nil:
		stage, key = ev.Recording.Stage, ev.Recording.Key
	case ev.Stream != nil:
		stage, key = ev.Stream.Stage, ev.Stream.Key
	case ev.Transcription != nil:
		stage, key = ev.Transcription.Stage, ev.Transcription.Key
	}
	preview := ev.Stream != nil && ev.Stream.Stage == "" && (ev.Stream.PreviewURL != "" || ev.Stream.PreviewImageURL != "")
	if stage != "" || key != "" {
		if stage.Rank() == 0 && !preview {
			t.Errorf("Stage = %q is not a known stage", stage)
		}
		if key != "conference/"+ev.MeetingID {
			t.Errorf("Key = %q, want %q", key, "conference/"+ev.MeetingID)
		}
	}
	if ev.Participant != nil && ev.Participant.ParticipantID == "" {
		t.Errorf("participant change with no participant id")
	}
	if c := ev.Call; c != nil {
		if c.Step != ev.Type || c.RoomID != ev.MeetingID || !strings.HasPrefix(c.CallID, "dialout/"+ev.MeetingID+"/") ||
			c.CallID == "dialout/"+ev.MeetingID+"/" {
			t.Errorf("odd call: %s", webhooktest.Dump(ev))
		}
	}
}

func FuzzVerify(f *testing.F) {
	sameLength := []byte(fxToken)
	sameLength[3] ^= 0x20
	f.Add(fxToken, fxToken)
	f.Add(fxToken, "")
	f.Add("", "")
	f.Add("", fxToken)
	f.Add(fxToken, fxToken[:len(fxToken)-1])
	f.Add(fxToken, fxToken+"\x00")
	f.Add(fxToken, string(sameLength))
	f.Add(fxToken, " "+fxToken)
	f.Add("a", "a")
	f.Add("\xff", "\xff")
	f.Fuzz(func(t *testing.T, token, header string) {
		err := Verify(token, header)
		if err != nil {
			if !errors.Is(err, ErrBadToken) {
				t.Fatalf("error %v does not wrap ErrBadToken", err)
			}
			if token != "" && token == header {
				t.Fatalf("Verify(%q, %q) refused the exact token: %v", token, header, err)
			}
			return
		}
		if token == "" || header != token {
			t.Fatalf("Verify(%q, %q) accepted", token, header)
		}
	})
}
