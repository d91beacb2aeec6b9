package daily

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/webhooktest"
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
	webhooktest.SeedFixtures(f, "", "edge")
	webhooktest.SeedBodies(f, malformedBodies, lenientBodies)
	f.Fuzz(func(t *testing.T, body []byte) {
		in := append([]byte(nil), body...)
		test := IsTest(body)
		if !bytes.Equal(in, body) {
			t.Fatal("IsTest modified its input")
		}
		ev, ok := webhooktest.CheckDecode(t, Decode, ErrMalformed, body)
		if !ok {
			return
		}
		if test {
			t.Fatalf("IsTest and Decode both accepted %q", body)
		}
		if strings.TrimSpace(ev.Type) != ev.Type {
			t.Fatalf("Decode succeeded with Type %q for %q", ev.Type, body)
		}
		checkJSONFields(t, ev)
		checkChange(t, ev)
	})
}

// checkChange, after webhooktest.CheckDecode (times in UTC and in
// range): every change carries a known stage and an id to be filed under,
// and no end comes before its start.
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
		if r.At != nil && r.StartedAt != nil && r.At.Before(*r.StartedAt) {
			t.Errorf("Recording.At %s before StartedAt %s", r.At, r.StartedAt)
		}
		if r.StartedAt != nil && r.Stage != models.StageStopped {
			t.Errorf("Recording.StartedAt set for stage %q", r.Stage)
		}
		for i, f := range r.Files {
			if f.Path == "" || f.URL != "" {
				t.Errorf("Recording.Files[%d] = %+v, want a path and no URL", i, f)
			}
		}
	}
	if p := ev.Participant; p != nil && p.JoinedAt != nil {
		if !p.Left {
			t.Errorf("Participant.JoinedAt set on a join")
		}
		if p.At != nil && p.At.Before(*p.JoinedAt) {
			t.Errorf("Participant leave %s before its join %s", p.At, p.JoinedAt)
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
		t.Errorf("a change Daily never makes: %s", webhooktest.Dump(ev))
	}
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
		if got := webhooktest.DecodeSigLoosely(signature); !bytes.Equal(got, mac(secret, timestamp, body)) {
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
