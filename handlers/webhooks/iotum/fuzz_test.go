package iotum

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

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
	for _, dir := range []string{"", "edge", "malformed"} {
		for _, name := range fixtureNames(f, dir) {
			f.Add(readFixture(f, fixturePath(dir, name)))
		}
	}
	for _, b := range malformedBodies {
		f.Add([]byte(b))
	}
	for _, b := range lenientBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in := append([]byte(nil), body...)
		ev, err := Decode(body)
		if !bytes.Equal(in, body) {
			t.Fatal("Decode modified its input")
		}
		again, err2 := Decode(body)
		if !reflect.DeepEqual(ev, again) || (err == nil) != (err2 == nil) ||
			(err != nil && err.Error() != err2.Error()) {
			t.Fatalf("Decode is not deterministic:\n%s / %v\n%s / %v", dump(ev), err, dump(again), err2)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if !reflect.DeepEqual(ev, models.Event{}) {
				t.Fatalf("non-zero event with an error: %s", dump(ev))
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("Decode accepted a body that is not valid JSON: %q", body)
		}
		if strings.TrimSpace(ev.Type) == "" {
			t.Fatalf("Decode succeeded with a blank Type %q for %q", ev.Type, body)
		}
		checkClean(t, ev)
		checkShape(t, ev)
	})
}

// checkShape: at most one change; a change of a conference has its
// meeting, session and key; stages are known; times are UTC and in range.
func checkShape(t *testing.T, ev models.Event) {
	t.Helper()
	if n := changeCount(ev); n > 1 {
		t.Fatalf("%d change pointers set, at most 1 allowed: %s", n, dump(ev))
	} else if (n == 1) != ev.HasChange() {
		t.Fatalf("HasChange() = %v with %d change pointers", ev.HasChange(), n)
	}
	if ev.MeetingID != ev.SessionID {
		t.Errorf("MeetingID %q != SessionID %q: an iotum conference is one run", ev.MeetingID, ev.SessionID)
	}
	if ev.HasChange() && ev.MeetingID == "" {
		t.Errorf("a change with no conference: %s", dump(ev))
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
	if stage != "" || key != "" {
		if stage.Rank() == 0 {
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
			t.Errorf("odd call: %s", dump(ev))
		}
	}
	_, times := splitTimes(ev)
	for name, tm := range times {
		if tm == nil {
			continue
		}
		if tm.Location() != time.UTC || !tm.After(time.Unix(0, 0)) || tm.Year() > 9999 {
			t.Errorf("%s = %s: want UTC, after 1970 and no later than 9999", name, fmtTime(tm))
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
