package videosdk

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
	`{"webhookType":"x"}`,
	`{"webhookType":"participant-joined","data":"str"}`,
	`{"webhookType":"recording-paused","data":{"meetingId":"m"}}`,
	`{"webhookType":"session-ended","data":{"start":1657036535,"end":"1657036535047"}}`,
	`{"webhookType":"call-started","data":{"roomId":"r","timestamp":"2022-07-05T15:55:35.047+00:00","metaData":{"a":[1,{}]}}}`,
	"{\"webhookType\":\"participant-left\",\"data\":{\"participantName\":\"J\\u0000o\xff\"}}",
	`{"webhookType":"recording-stopped","data":{"fileDetails":[1,null,{"fileUrl":"u"}],"encryption":[]}}`,
}

func FuzzDecode(f *testing.F) {
	for _, dir := range []string{"v2", "legacy", "edge"} {
		paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		if err != nil || len(paths) == 0 {
			f.Fatalf("no fixtures in testdata/%s: %v", dir, err)
		}
		for _, p := range paths {
			f.Add(readFixture(f, dir+"/"+filepath.Base(p)))
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
		checkJSONFields(t, ev)
		if n := changeCount(ev); n > 1 {
			t.Fatalf("%d change pointers set, at most 1 allowed: %s", n, dump(ev))
		} else if (n == 1) != ev.HasChange() {
			t.Fatalf("HasChange() = %v with %d change pointers", ev.HasChange(), n)
		}
		checkStages(t, ev)
	})
}

// checkStages: every change that has a stage carries a known one, every
// job change has a key, and times are in UTC and in range.
func checkStages(t *testing.T, ev models.Event) {
	t.Helper()
	stages := map[string]models.Stage{}
	if r := ev.Recording; r != nil {
		stages["Recording"] = r.Stage
		if r.Key == "" {
			t.Errorf("Recording.Key is empty")
		}
	}
	if s := ev.Stream; s != nil {
		stages["Stream"] = s.Stage
		if s.Key == "" {
			t.Errorf("Stream.Key is empty")
		}
	}
	if tr := ev.Transcription; tr != nil {
		stages["Transcription"] = tr.Stage
		if tr.Key == "" {
			t.Errorf("Transcription.Key is empty")
		}
	}
	if ev.Agent != nil {
		stages["Agent"] = ev.Agent.Stage
	}
	if ev.BatchCall != nil {
		stages["BatchCall"] = ev.BatchCall.Stage
	}
	if ev.Resource != nil {
		stages["Resource"] = ev.Resource.Stage
	}
	if ev.KnowledgeBase != nil {
		stages["KnowledgeBase"] = ev.KnowledgeBase.Stage
	}
	for name, s := range stages {
		if s.Rank() == 0 {
			t.Errorf("%s.Stage = %q is not a known stage", name, s)
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
	if ev.Call != nil && ev.Call.Step != ev.Type {
		t.Errorf("Call.Step = %q, want the event type %q", ev.Call.Step, ev.Type)
	}
}

// fuzzVerifyBody is the body of the one valid pair FuzzVerify is seeded with.
var fuzzVerifyBody = []byte(`{"webhookType":"participant-joined","data":{"meetingId":"jvsg-8rjn-j304","participantId":"fkd74h"}}`)

// decodeSigLoosely decodes a signature header the way any sane reader might
// (standard or URL alphabet, padded or not, surrounding space ignored); nil
// when it is not base64 at all.
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
	priv := signingKey(f)
	pub := &priv.PublicKey
	sig := sign(f, priv, fuzzVerifyBody)
	std := base64.StdEncoding.EncodeToString(sig)

	f.Add(fuzzVerifyBody, std)
	f.Add(fuzzVerifyBody, "")
	f.Add(fuzzVerifyBody, std[:len(std)-4])
	f.Add(fuzzVerifyBody, std[:len(std)-3]+"A==")
	f.Add(fuzzVerifyBody, base64.RawURLEncoding.EncodeToString(sig))
	f.Add([]byte{}, std)
	f.Add(append(append([]byte(nil), fuzzVerifyBody...), ' '), std)
	f.Add(fuzzVerifyBody, "not base64!")
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		err := Verify(pub, body, header)
		if err != nil {
			if !errors.Is(err, ErrBadSignature) {
				t.Fatalf("error %v does not wrap ErrBadSignature", err)
			}
			return
		}
		// Accepted: it must be the seeded pair. The header may be another
		// spelling of the same signature (Verify trims space and takes both
		// base64 alphabets), but its bytes must be the ones the key made.
		if !bytes.Equal(body, fuzzVerifyBody) {
			t.Fatalf("Verify accepted a body that was never signed: %q with %q", body, header)
		}
		if got := decodeSigLoosely(header); !bytes.Equal(got, sig) {
			t.Fatalf("Verify accepted a signature the key never made: %q", header)
		}
	})
}
