package videosdk

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/meetboard/meetboard/handlers/webhooks/webhooktest"
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
	webhooktest.SeedFixtures(f, "v2", "legacy", "edge")
	webhooktest.SeedBodies(f, malformedBodies, lenientBodies)
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, ok := webhooktest.CheckDecode(t, Decode, ErrMalformed, body)
		if !ok {
			return
		}
		checkJSONFields(t, ev)
		checkStages(t, ev)
	})
}

// checkStages, after webhooktest.CheckDecode (times in UTC and in
// range): every change that has a stage carries a known one, and every job
// change has a key.
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
	if ev.Call != nil && ev.Call.Step != ev.Type {
		t.Errorf("Call.Step = %q, want the event type %q", ev.Call.Step, ev.Type)
	}
}

// fuzzVerifyBody is the body of the one valid pair FuzzVerify is seeded with.
var fuzzVerifyBody = []byte(`{"webhookType":"participant-joined","data":{"meetingId":"jvsg-8rjn-j304","participantId":"fkd74h"}}`)

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
		if got := webhooktest.DecodeSigLoosely(header); !bytes.Equal(got, sig) {
			t.Fatalf("Verify accepted a signature the key never made: %q", header)
		}
	})
}
