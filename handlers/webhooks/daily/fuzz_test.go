package daily

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
)

// lenientBodies decode without error however odd they are.
var lenientBodies = []string{
	`{"type":"x"}`,
	`{"type":"participant.left","payload":"str"}`,
	`{"type":"participant.left","payload":{"joined_at":1717000005.33,"duration":"1e2"}}`,
	`{"type":"meeting.ended","payload":{"start_ts":"1717000000","end_ts":1.7e9}}`,
	`{"type":"dialin.connected","payload":{"session_id":"s","timestamp":"17e8","sip_headers":{"a":[1,{}]}}}`,
	"{\"type\":\"participant.left\",\"payload\":{\"user_name\":\"J\\u0000o\xff\"}}",
	`{"type":"recording.ready-to-download","payload":{"recording_id":"r","tracks":[1,null,{"s3Key":"k"}]}}`,
	`{"type":"calltransfer.completed","payload":{"session_id":"s","is_sip_refer":true,"complete_status":7}}`,
	`{"type":"streaming.error","payload":{"instance_id":"i","error_message":{"code":1}}}`,
}

func FuzzDecode(f *testing.F) {
	for _, dir := range []string{"", "edge"} {
		for _, name := range fixtureNames(f, dir) {
			f.Add(readFixture(f, filepath.Join(dir, name+".json")))
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
		test := IsTest(body)
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
		if test {
			t.Fatalf("IsTest and Decode both accepted %q", body)
		}
		if !json.Valid(body) {
			t.Fatalf("Decode accepted a body that is not valid JSON: %q", body)
		}
		if ev.Type == "" || strings.TrimSpace(ev.Type) != ev.Type {
			t.Fatalf("Decode succeeded with Type %q for %q", ev.Type, body)
		}
		checkClean(t, ev)
		checkJSONFields(t, ev)
		if n := changeCount(ev); n > 1 {
			t.Fatalf("%d change pointers set, at most 1 allowed: %s", n, dump(ev))
		} else if (n == 1) != ev.HasChange() {
			t.Fatalf("HasChange() = %v with %d change pointers", ev.HasChange(), n)
		}
		checkChange(t, ev)
	})
}

// checkChange: every change carries a known stage and an id to be filed
// under, and times are in UTC and in range.
func checkChange(t *testing.T, ev models.Event) {
	t.Helper()
	stages := map[string]models.Stage{}
	if r := ev.Recording; r != nil {
		stages["Recording"] = r.Stage
		if r.Key == "" && r.InstanceID == "" {
			t.Errorf("Recording has neither Key nor InstanceID")
		}
		if r.Kind != models.RecordingMeeting {
			t.Errorf("Recording.Kind = %q", r.Kind)
		}
		for i, f := range r.Files {
			if f.Path == "" || f.URL != "" {
				t.Errorf("Recording.Files[%d] = %+v, want a path and no URL", i, f)
			}
		}
	}
	if s := ev.Stream; s != nil {
		stages["Stream"] = s.Stage
		if s.Key == "" || s.Kind != models.StreamLivestream {
			t.Errorf("Stream = %+v, want a livestream with a key", *s)
		}
	}
	if tr := ev.Transcription; tr != nil {
		stages["Transcription"] = tr.Stage
		if tr.Key == "" || tr.Kind != models.KindTranscription {
			t.Errorf("Transcription = %+v, want a transcription with a key", *tr)
		}
	}
	for name, s := range stages {
		if s.Rank() == 0 {
			t.Errorf("%s.Stage = %q is not a known stage", name, s)
		}
	}
	if c := ev.Call; c != nil {
		if c.Step != ev.Type || c.CallID == "" || c.RoomID != ev.MeetingID || c.Status == "" {
			t.Errorf("Call = %+v for type %q", *c, ev.Type)
		}
		if c.At != nil && c.AtText == "" {
			t.Errorf("Call.At set with no AtText")
		}
	}
	if ev.Agent != nil || ev.BatchCall != nil || ev.Resource != nil || ev.KnowledgeBase != nil {
		t.Errorf("a change Daily never makes: %s", dump(ev))
	}
	_, times := splitTimes(ev)
	for name, tm := range times {
		if tm != nil && (tm.Location() != time.UTC || !tm.After(time.Unix(0, 0)) || tm.Year() > 9999) {
			t.Errorf("%s = %s: want UTC, after 1970 and no later than 9999", name, fmtTime(tm))
		}
	}
}

// decodeSigLoosely decodes a signature header the way any sane reader might
// (standard or URL alphabet, padded or not, surrounding space and line
// breaks ignored); nil when it is not base64 at all.
func decodeSigLoosely(s string) []byte {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.TrimRight(s, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b
		}
	}
	return nil
}

func FuzzVerify(f *testing.F) {
	body := []byte(`{"version":"1.0.0","type":"meeting.started","id":"met-sta-1","payload":{"room":"consult-42"},"event_ts":1717000000.98}`)
	ts, tsMs := secs(0), millis(0)
	good := sign(testSecret, ts, body)
	sum := mac(testSecret, ts, body)

	f.Add(testSecret, body, good, ts)
	f.Add(testSecret, body, sign(testSecret, tsMs, body), tsMs)
	f.Add(testSecret, body, sign(testSecret, ts+".5", body), ts+".5")
	f.Add(testSecret, body, sign(testSecret, secs(-6*time.Minute), body), secs(-6*time.Minute))
	f.Add(testSecret, body, sign(testSecret, secs(6*time.Minute), body), secs(6*time.Minute))
	f.Add(otherSecret, body, good, ts)
	f.Add([]byte(testSecretText), body, good, ts)
	f.Add([]byte{}, body, sign(nil, ts, body), ts)
	f.Add(testSecret, body, "", ts)
	f.Add(testSecret, body, good, "")
	f.Add(testSecret, body, good[:len(good)-4], ts)
	f.Add(testSecret, body, base64.RawURLEncoding.EncodeToString(sum), ts)
	f.Add(testSecret, body, strings.Repeat("ab", 32), ts)
	f.Add(testSecret, append(append([]byte(nil), body...), ' '), good, ts)
	f.Add(testSecret, []byte{}, good, ts)
	f.Add(testSecret, body, good, ts+" ")
	f.Add(testSecret, body, "not base64!", ts)
	f.Fuzz(func(t *testing.T, secret, body []byte, signature, timestamp string) {
		err := Verify(secret, body, signature, timestamp, verifyNow, 5*time.Minute)
		if err != nil {
			if !errors.Is(err, ErrBadSignature) {
				t.Fatalf("error %v does not wrap ErrBadSignature", err)
			}
			return
		}
		// Accepted: the header must be a spelling of the HMAC the secret
		// makes over timestamp "." body, and the time must be fresh.
		if len(secret) == 0 {
			t.Fatalf("Verify accepted with no secret")
		}
		if got := decodeSigLoosely(signature); !bytes.Equal(got, mac(secret, timestamp, body)) {
			t.Fatalf("Verify accepted a signature the secret never made: secret %q body %q sig %q ts %q",
				secret, body, signature, timestamp)
		}
		at, ok := parseUnix(timestamp)
		if !ok {
			t.Fatalf("Verify accepted an unreadable timestamp %q", timestamp)
		}
		if d := verifyNow.Sub(at); d > 5*time.Minute || d < -5*time.Minute {
			t.Fatalf("Verify accepted timestamp %q, %s from now", timestamp, d)
		}
	})
}
