package daily

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/webhooktest"
	"github.com/meetboard/meetboard/models"
)

// Values that recur in the fixtures: one consultation in room consult-42.
const (
	fxRoom      = "consult-42"
	fxMtg       = "5b1c6a0e-8a51-4b7e-9f00-1d2e3f4a5b6c"
	fxLee       = "a3f0c1de-7b2a-4c59-9d1e-2f3a4b5c6d7e" // Dr Lee's participant session
	fxSam       = "77aa5f3e-2d1c-4b0a-9e8f-7d6c5b4a3f2e" // the guest in the waiting room
	fxRec       = "3d9b2f1a-8c7e-4d6b-a5f4-e3d2c1b0a9f8"
	fxInst      = "c0ffee00-1234-4abc-8def-0123456789ab"
	fxTr        = "7e1a4c2b-9d8f-4e6a-b5c3-d2e1f0a9b8c7"
	fxStream    = "55aa0b1c-2d3e-4f5a-9b8c-7d6e5f4a3b2c"
	fxBatch     = "b7c1d2e3-f4a5-4b6c-8d7e-9f0a1b2c3d4e"
	fxDialOut   = "1c9e8d7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f"
	fxDialOut2  = "8f7e6d5c-4b3a-4291-8e0f-1a2b3c4d5e6f"
	fxCallerID  = "34b0c5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d"
	fxDialIn    = "e4d2c1b0-a9f8-4e7d-8c6b-5a4f3e2d1c0b"
	fxDialIn2   = "f1e2d3c4-b5a6-4798-8a0b-c1d2e3f4a5b6"
	fxEndpoint  = "sip:consult-42@mydomain.sip.daily.co"
	fxTier2     = "sip:tier2@pbx.example.com"
	fxSIPFrom   = "sip:+15550001111@carrier.example"
	fxSpecialst = "+15551234567"
	fxOrigin    = "+15557654321"
	fxHeaders   = `{"X-Account":"123","X-Caller-Tier":"gold"}`
	fxS3        = "mydomain/consult-42/1717000200123"
)

// allTypes is every event type in Daily's webhook reference.
var allTypes = []string{
	"meeting.started", "meeting.ended",
	"participant.joined", "participant.left",
	"waiting-participant.joined", "waiting-participant.left",
	"recording.started", "recording.ready-to-download", "recording.error",
	"transcript.started", "transcript.ready-to-download", "transcript.error",
	"streaming.started", "streaming.updated", "streaming.ended", "streaming.error",
	"batch-processor.job-finished", "batch-processor.error",
	"dialout.connected", "dialout.answered", "dialout.stopped", "dialout.warning", "dialout.error",
	"dialin.ready", "dialin.connected", "dialin.stopped", "dialin.warning", "dialin.error",
	"calltransfer.triggered", "calltransfer.initiated", "calltransfer.answered", "calltransfer.completed",
}

// logOnly are the types that change no model.
var logOnly = map[string]bool{
	"waiting-participant.joined": true, "waiting-participant.left": true,
	"batch-processor.job-finished": true, "batch-processor.error": true,
	"dialin.ready": true,
}

func at(sec, nanos int64) *time.Time {
	t := time.Unix(sec, nanos).UTC()
	return &t
}

// checkJSONFields: the members kept as JSON text are valid JSON with no
// \u0000 escape.
func checkJSONFields(t testing.TB, ev models.Event) {
	t.Helper()
	if ev.Call == nil {
		return
	}
	for name, v := range map[string]string{"Call.MetaData": ev.Call.MetaData, "Call.AdditionalDetails": ev.Call.AdditionalDetails} {
		if v != "" && !json.Valid([]byte(v)) {
			t.Errorf("%s = %q is not valid JSON", name, v)
		}
		var x any
		if v != "" && json.Unmarshal([]byte(v), &x) == nil && strings.Contains(dumpAny(x), "\x00") {
			t.Errorf("%s = %q decodes to text with a NUL", name, v)
		}
	}
}

func dumpAny(x any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(x any) {
		switch v := x.(type) {
		case string:
			b.WriteString(v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for k, e := range v {
				b.WriteString(k)
				walk(e)
			}
		}
	}
	walk(x)
	return b.String()
}

// Builders for expected events.

func evt(id, meeting, session string) models.Event {
	return models.Event{ProviderEventID: id, MeetingID: meeting, SessionID: session}
}

func withSession(ev models.Event, s models.SessionChange) models.Event {
	ev.Session = &s
	return ev
}

func withParticipant(ev models.Event, p models.ParticipantChange) models.Event {
	ev.Participant = &p
	return ev
}

func withRecording(ev models.Event, r models.RecordingChange) models.Event {
	r.Kind = models.RecordingMeeting
	ev.Recording = &r
	return ev
}

func withTranscript(ev models.Event, stage models.Stage, message string) models.Event {
	ev.Transcription = &models.TranscriptionChange{Kind: models.KindTranscription, Key: fxTr, Stage: stage, Message: message}
	return ev
}

// transcriptFile adds where the fixtures' transcript is written
// (out_params.s3).
func transcriptFile(ev models.Event) models.Event {
	ev.Transcription.Files = []models.File{{Path: "mydomain/consult-42/" + fxTr + ".vtt", Bucket: "meetboard-transcripts"}}
	return ev
}

// withStream is a stream change at the given time (nil: the arrival's).
func withStream(ev models.Event, stage models.Stage, message string, when *time.Time) models.Event {
	ev.Stream = &models.StreamChange{Kind: models.StreamLivestream, Key: fxStream, ExternalID: fxStream, Stage: stage, Message: message,
		At: when}
	return ev
}

func withCall(ev models.Event, c models.CallChange) models.Event {
	ev.Call = &c
	return ev
}

// dialOut is a step of the specialist's dial-out call, as connected,
// answered and stopped send it (timestamp as a string, as in Daily's
// examples).
func dialOut(id, step string, sec int64) models.Event {
	return withCall(evt(id, fxRoom, ""), models.CallChange{
		CallID: fxDialOut, RoomID: fxRoom, Direction: "outbound", From: fxOrigin, To: fxSpecialst,
		Step: step, Status: step[strings.IndexByte(step, '.')+1:], At: at(sec, 0), AtText: strconv.FormatInt(sec, 10),
		AdditionalDetails: `{"caller_id":"` + fxCallerID + `","user_id":"specialist-line"}`,
	})
}

// dialIn is a step of the caller's dial-in call as connected and stopped
// send it.
func dialIn(id, step string, sec int64) models.Event {
	return withCall(evt(id, fxRoom, ""), models.CallChange{
		CallID: fxDialIn, RoomID: fxRoom, Direction: "inbound", From: fxSIPFrom,
		Step: step, Status: step[strings.IndexByte(step, '.')+1:], At: at(sec, 0), AtText: strconv.FormatInt(sec, 10),
		MetaData: fxHeaders, AdditionalDetails: `{"display_name":"+15550001111"}`,
	})
}

// transfer is a step of the caller's call transfer.
func transfer(id, word string, sec int64, detail string) models.Event {
	return withCall(evt(id, fxRoom, fxMtg), models.CallChange{
		CallID: fxDialIn, RoomID: fxRoom, From: fxEndpoint, To: fxTier2,
		Step: "calltransfer." + word, Status: "transfer-" + word, At: at(sec, 0), AtText: strconv.FormatInt(sec, 10),
		Detail: detail,
	})
}

var (
	leeJoined = at(1717000005, 330_000_000)
	meetStart = at(1717000000, 120_000_000)
	meetEnd   = at(1717003600, 400_000_000)
	recStart  = at(1717000200, 0)
	recEnd    = at(1717003600, 0) // start_ts 1717000200 + duration 3400
)

// typeCases is the expected event for every testdata/<type>.json (Type is
// filled in from the name).
var typeCases = map[string]models.Event{
	"meeting.started": withSession(evt("met-sta-0f1e2d3c-4b5a-4968-8776-655443322110", fxRoom, fxMtg),
		models.SessionChange{Start: meetStart}),
	"meeting.ended": withSession(evt("met-end-0f1e2d3c-4b5a-4968-8776-655443322110", fxRoom, fxMtg),
		models.SessionChange{Ended: true, Start: meetStart, End: meetEnd}),

	// The payload names no meeting session: SessionID stays empty. user_id
	// wins over session_id; the leave is joined_at + duration, and keeps
	// joined_at for a stay whose join was lost.
	"participant.joined": withParticipant(evt("ptcpt-join-"+fxLee+"-1717000005331", fxRoom, ""),
		models.ParticipantChange{ParticipantID: "u_81", Name: "Dr Lee", Role: "owner", At: leeJoined}),
	"participant.left": withParticipant(evt("ptcpt-left-"+fxLee+"-1717003590012", fxRoom, ""),
		models.ParticipantChange{ParticipantID: "u_81", Name: "Dr Lee", Role: "owner", Left: true, At: at(1717003590, 10_000_000),
			JoinedAt: leeJoined}),

	"waiting-participant.joined": evt("wptcpt-join-"+fxSam+"-1717000100500", fxRoom, ""),
	"waiting-participant.left":   evt("wptcpt-left-"+fxSam+"-1717000112900", fxRoom, ""),

	// recording.started names no room; ready-to-download has no
	// instance_id and error no recording_id. Stage times are the payload's:
	// started at start_ts, stopped at start_ts + duration, failed at
	// timestamp.
	"recording.started": withRecording(evt("rec-sta-"+fxRec+"-1717000201", "", ""),
		models.RecordingChange{Key: fxRec, ExternalID: fxRec, InstanceID: fxInst, Stage: models.StageStarted,
			At: recStart}),
	"recording.ready-to-download": withRecording(evt("rec-rtd-"+fxRec+"-1717003660", fxRoom, ""),
		models.RecordingChange{Key: fxRec, ExternalID: fxRec, Stage: models.StageStopped, FileFormat: "raw-tracks",
			StartedAt: recStart, At: recEnd,
			Files: []models.File{
				{Path: fxS3},
				{Path: fxS3 + "-a3f0c1de-cam-audio-1717000201", Kind: "audio", Size: 5400000},
				{Path: fxS3 + "-a3f0c1de-cam-video-1717000201", Kind: "video", Size: 412000000},
				{Path: fxS3 + "-77aa5f3e-cam-audio-1717000215", Kind: "audio", Size: 5100000},
			}}),
	"recording.error": withRecording(evt("rec-err-"+fxInst+"-1717000300", fxRoom, ""),
		models.RecordingChange{InstanceID: fxInst, Stage: models.StageFailed,
			Message: "cloud-recording-error: upload of segment 14 failed", At: at(1717000300, 0)}),

	"transcript.started": transcriptFile(withTranscript(evt("tr-sta-"+fxTr+"-1717000010", fxRoom, fxMtg), models.StageStarted, "")),
	"transcript.ready-to-download": transcriptFile(withTranscript(evt("tr-rtd-"+fxTr+"-1717003700", fxRoom, fxMtg),
		models.StageCompleted, "")),
	// transcript.error gives the job's times in info (startTs, endTs).
	"transcript.error": func() models.Event {
		ev := transcriptFile(withTranscript(evt("tr-err-"+fxTr+"-1717000401", fxRoom, fxMtg), models.StageFailed, "transcription provider error"))
		ev.Transcription.StartedAt, ev.Transcription.At = at(1717000010, 0), at(1717000400, 0)
		return ev
	}(),

	// Stream stages are at timestamp, except an update's, which is not a
	// start time.
	"streaming.started": withStream(evt("str-sta-"+fxStream+"-1717000500", "", ""), models.StageStarted, "", at(1717000500, 0)),
	"streaming.updated": withStream(evt("str-upd-"+fxStream+"-1717000900", "", ""), models.StageStarted, "", nil),
	"streaming.ended":   withStream(evt("str-end-"+fxStream+"-1717002500", "", ""), models.StageStopped, "", at(1717002500, 0)),
	"streaming.error": withStream(evt("str-err-"+fxStream+"-1717000510", fxRoom, ""),
		models.StageFailed, "rtmp endpoint unreachable", at(1717000510, 0)),

	"batch-processor.job-finished": evt("bp-fin-"+fxBatch+"-1717003900", "", ""),
	"batch-processor.error":        evt("bp-err-"+fxBatch+"-1717003905", "", ""),

	"dialout.connected": dialOut("2868-dial-out-con-"+fxDialOut, "dialout.connected", 1717001000),
	"dialout.answered":  dialOut("2868-dial-out-ans-"+fxDialOut, "dialout.answered", 1717001006),
	"dialout.stopped":   dialOut("2868-dial-out-stop-"+fxDialOut, "dialout.stopped", 1717001800),
	"dialout.warning": withCall(evt("2868-dial-out-warn-"+fxDialOut, fxRoom, ""), models.CallChange{
		CallID: fxDialOut, RoomID: fxRoom, Direction: "outbound", Step: "dialout.warning", Status: "warning",
		At: at(1717001010, 0), AtText: "1717001010", Detail: "codec fallback to PCMU",
		AdditionalDetails: `{"user_id":"specialist-line"}`}),
	"dialout.error": withCall(evt("2868-dial-out-err-"+fxDialOut2, fxRoom, ""), models.CallChange{
		CallID: fxDialOut2, RoomID: fxRoom, Direction: "outbound", Step: "dialout.error", Status: "error",
		At: at(1717001002, 0), AtText: "1717001002", Detail: "SIP 486 Busy Here",
		AdditionalDetails: `{"user_id":"backup-line"}`}),

	"dialin.ready":     evt("dial-in-ready-consult-42-1717002000", fxRoom, ""),
	"dialin.connected": dialIn("dial-in-con-"+fxDialIn, "dialin.connected", 1717002010),
	"dialin.stopped":   dialIn("dial-in-stop-"+fxDialIn, "dialin.stopped", 1717002101),
	"dialin.warning": withCall(evt("dial-in-warn-"+fxDialIn, fxRoom, ""), models.CallChange{
		CallID: fxDialIn, RoomID: fxRoom, Direction: "inbound", Step: "dialin.warning", Status: "warning",
		At: at(1717002030, 0), AtText: "1717002030", Detail: "packet loss above 5%"}),
	"dialin.error": withCall(evt("dial-in-err-"+fxDialIn2, fxRoom, ""), models.CallChange{
		CallID: fxDialIn2, RoomID: fxRoom, Direction: "inbound", Step: "dialin.error", Status: "error",
		At: at(1717002020, 0), AtText: "1717002020", Detail: "media negotiation failed"}),

	"calltransfer.triggered": transfer("3602-call-transfer-trig-"+fxDialIn+"1717002095", "triggered", 1717002095, ""),
	"calltransfer.initiated": transfer("3602-call-transfer-init-"+fxDialIn+"1717002100", "initiated", 1717002100, ""),
	"calltransfer.answered":  transfer("3602-call-transfer-answered-"+fxDialIn+"1717002108", "answered", 1717002108, ""),
	"calltransfer.completed": transfer("3602-call-transfer-completed-"+fxDialIn+"1717002400", "completed", 1717002400,
		"complete status: completed"),
}

// TestFixturesCoverEveryType: testdata holds a fixture for every Daily
// type, the test request, and nothing else; the table has a row for each.
func TestFixturesCoverEveryType(t *testing.T) {
	have := map[string]bool{}
	for _, n := range webhooktest.FixtureNames(t, "") {
		have[n] = true
	}
	for _, typ := range allTypes {
		if !have[typ] {
			t.Errorf("no fixture testdata/%s.json", typ)
		}
		if _, ok := typeCases[typ]; !ok {
			t.Errorf("no table row for %s", typ)
		}
		delete(have, typ)
	}
	delete(have, "test-request")
	for n := range have {
		t.Errorf("testdata/%s.json is neither a Daily type nor the test request", n)
	}
	if len(typeCases) != len(allTypes) {
		t.Errorf("%d table rows for %d types", len(typeCases), len(allTypes))
	}
}

// TestDecodeFixtures: every type fixture decodes, without problems, into
// exactly the expected event; the test request is recognised and is not an
// event.
func TestDecodeFixtures(t *testing.T) {
	for _, name := range webhooktest.FixtureNames(t, "") {
		t.Run(name, func(t *testing.T) {
			body := webhooktest.ReadFixture(t, name+".json")
			if name == "test-request" {
				if !IsTest(body) {
					t.Error("IsTest = false for the test request")
				}
				if ev, err := Decode(body); !errors.Is(err, ErrMalformed) {
					t.Errorf("Decode(test request) = %s, %v; want ErrMalformed", webhooktest.Dump(ev), err)
				}
				return
			}
			if IsTest(body) {
				t.Error("IsTest = true for an event")
			}
			want, ok := typeCases[name]
			if !ok {
				t.Fatalf("no table row")
			}
			want.Type = name
			got, err := Decode(body)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(got.Problems) != 0 {
				t.Errorf("Problems = %q, want none", got.Problems)
			}
			if d := webhooktest.EventDiff(got, want); d != "" {
				t.Errorf("mismatch:\n%s", d)
			}
			if n := webhooktest.ChangeCount(got); n != 1 && !logOnly[name] || n != 0 && logOnly[name] {
				t.Errorf("%d changes (log only: %v)", n, logOnly[name])
			}
			webhooktest.CheckClean(t, got)
			checkJSONFields(t, got)
		})
	}
}

type edgeCase struct {
	want models.Event
	// problems lists substrings, one per expected problem, in order.
	problems []string
}

var edgeCases = map[string]edgeCase{
	// joined_at and event_ts as numeric strings; an empty user_id gives way
	// to session_id.
	"timestamp-numeric-string": {want: func() models.Event {
		ev := withParticipant(evt("ptcpt-join-"+fxLee+"-1717000005332", fxRoom, ""),
			models.ParticipantChange{ParticipantID: fxLee, Name: "Dr Lee", At: leeJoined})
		ev.Type = "participant.joined"
		return ev
	}()},
	"event-ts-integer": {want: func() models.Event {
		ev := withSession(evt("met-end-edge-int-1692124192", fxRoom, fxMtg),
			models.SessionChange{Ended: true, Start: at(1692120000, 0), End: at(1692124170, 0)})
		ev.Type = "meeting.ended"
		return ev
	}()},
	// The fraction is cut at nanoseconds, exactly; event_ts is only noted.
	"event-ts-unreadable": {want: func() models.Event {
		ev := withSession(evt("met-sta-edge-bad-ts", fxRoom, fxMtg), models.SessionChange{Start: at(1717000000, 123456789)})
		ev.Type = "meeting.started"
		return ev
	}(), problems: []string{"event_ts"}},
	"unknown-type": {want: func() models.Event {
		ev := evt("room-lock-consult-42-1717000050", fxRoom, "")
		ev.Type = "room.locked"
		return ev
	}()},
	// A number reads as its text; other wrong kinds are empty and noted.
	// Without a readable joined_at the leave has no time.
	"wrong-types": {want: func() models.Event {
		ev := withParticipant(evt("81", fxRoom, ""), models.ParticipantChange{ParticipantID: "81", Left: true})
		ev.Type = "participant.left"
		return ev
	}(), problems: []string{"payload.user_name", "payload.owner", "payload.joined_at", "payload.duration"}},
	"calltransfer-sip-refer": {want: func() models.Event {
		ev := transfer("3602-call-transfer-completed-refer-"+fxDialIn+"1717002400", "completed", 1717002400,
			"SIP REFER; complete status: failed; REFER response: 202; NOTIFY response: 503")
		ev.Type = "calltransfer.completed"
		return ev
	}()},
	"recording-cloud-no-tracks": {want: func() models.Event {
		ev := withRecording(evt("rec-rtd-edge-cloud-1717003661", fxRoom, ""), models.RecordingChange{
			Key: fxRec, ExternalID: fxRec, Stage: models.StageStopped, FileFormat: "cloud",
			Files: []models.File{{Path: fxS3 + ".mp4"}}, StartedAt: recStart, At: recEnd})
		ev.Type = "recording.ready-to-download"
		return ev
	}()},
	"milliseconds-and-exponent": {want: func() models.Event {
		ev := withSession(evt("met-end-edge-ms-exp", fxRoom, fxMtg),
			models.SessionChange{Ended: true, Start: meetStart, End: meetEnd})
		ev.Type = "meeting.ended"
		return ev
	}()},
	"payload-not-object": {want: func() models.Event {
		ev := withSession(evt("met-sta-edge-payload-string", "", ""), models.SessionChange{})
		ev.Type = "meeting.started"
		return ev
	}(), problems: []string{"payload: expected an object"}},
	"recording-error-no-ids": {want: func() models.Event {
		ev := evt("rec-err-edge-no-ids-1717000300", fxRoom, "")
		ev.Type = "recording.error"
		return ev
	}(), problems: []string{"recording_id"}},
	// timestamp as a numeric string, as R3 shows for recording.error.
	"recording-error-timestamp-string": {want: func() models.Event {
		ev := withRecording(evt("rec-err-"+fxInst+"-1717000320", fxRoom, ""), models.RecordingChange{
			InstanceID: fxInst, Stage: models.StageFailed, Message: "cloud-recording-error: s3 upload denied",
			At: at(1717000320, 0)})
		ev.Type = "recording.error"
		return ev
	}()},
	// Unreadable recording times leave the stage time to the arrival, and
	// the problems say so.
	"recording-bad-times": {want: func() models.Event {
		ev := withRecording(evt("rec-rtd-edge-bad-times-1717003662", fxRoom, ""), models.RecordingChange{
			Key: fxRec, ExternalID: fxRec, Stage: models.StageStopped, FileFormat: "cloud",
			Files: []models.File{{Path: fxS3 + ".mp4"}}})
		ev.Type = "recording.ready-to-download"
		return ev
	}(), problems: []string{"payload.start_ts: unreadable time \"1717000200 UTC\"; the arrival time stands in"}},
	// A leave for a join that never came: joined_at is its join time.
	"participant-left-join-lost": {want: func() models.Event {
		ev := withParticipant(evt("ptcpt-left-"+fxSam+"-1717003412480", fxRoom, ""), models.ParticipantChange{
			ParticipantID: "guest-3", Name: "Sam", Left: true,
			JoinedAt: at(1717000215, 60_000_000), At: at(1717003412, 450_000_000)})
		ev.Type = "participant.left"
		return ev
	}()},
	"streaming-ended-timestamp-string": {want: func() models.Event {
		ev := withStream(evt("str-end-edge-string-ts-1717002501", "", ""), models.StageStopped, "", at(1717002501, 0))
		ev.Type = "streaming.ended"
		return ev
	}()},
	// An unreadable endTs leaves the failure at the arrival time; startTs
	// still gives the start.
	"transcript-error-bad-info": {want: func() models.Event {
		ev := withTranscript(evt("tr-err-edge-bad-info-1717000402", fxRoom, fxMtg), models.StageFailed, "transcription provider error")
		ev.Transcription.StartedAt = at(1717000010, 0)
		ev.Type = "transcript.error"
		return ev
	}(), problems: []string{"payload.info.endTs: unreadable time \"pending\"; the arrival time stands in"}},
	"bad-times": {want: func() models.Event {
		ev := withSession(evt("met-end-edge-bad-times", fxRoom, fxMtg), models.SessionChange{Ended: true, EndAtArrival: true})
		ev.Type = "meeting.ended"
		return ev
	}(), problems: []string{"payload.start_ts: unreadable time \"-5\"; the arrival time stands in",
		"payload.end_ts: unreadable time \"99999999999999999\"; the arrival time stands in"}},
}

func TestDecodeEdge(t *testing.T) {
	for _, name := range webhooktest.FixtureTable(t, "edge", edgeCases) {
		tc := edgeCases[name]
		t.Run(name, func(t *testing.T) {
			got, err := Decode(webhooktest.ReadFixture(t, "edge/"+name+".json"))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			webhooktest.CheckClean(t, got)
			webhooktest.CheckProblems(t, got.Problems, tc.problems)
			got.Problems = nil
			if d := webhooktest.EventDiff(got, tc.want); d != "" {
				t.Errorf("mismatch:\n%s", d)
			}
		})
	}
}

// TestFixtureStory: the fixtures tell one story, so that folding them
// together in the store is meaningful: the recording's events share its
// ids, the transfer is the dial-in caller's, and envelope ids are unique.
func TestFixtureStory(t *testing.T) {
	ids := map[string]string{}
	for _, dir := range []string{"", "edge"} {
		for _, name := range webhooktest.FixtureNames(t, dir) {
			if name == "test-request" {
				continue
			}
			ev, err := Decode(webhooktest.ReadFixture(t, filepath.Join(dir, name+".json")))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if ev.ProviderEventID == "" {
				t.Errorf("%s: no envelope id", name)
			} else if other, dup := ids[ev.ProviderEventID]; dup {
				t.Errorf("%s and %s share envelope id %q", other, name, ev.ProviderEventID)
			}
			ids[ev.ProviderEventID] = filepath.Join(dir, name)
		}
	}
	dec := func(name string) models.Event {
		ev, err := Decode(webhooktest.ReadFixture(t, name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	started, ready, failed := dec("recording.started").Recording, dec("recording.ready-to-download").Recording, dec("recording.error").Recording
	if started.Key == "" || started.Key != ready.Key {
		t.Errorf("recording.started and ready-to-download do not share recording_id: %q, %q", started.Key, ready.Key)
	}
	if started.InstanceID == "" || started.InstanceID != failed.InstanceID {
		t.Errorf("recording.started and recording.error do not share instance_id: %q, %q", started.InstanceID, failed.InstanceID)
	}
	if a, b := dec("dialin.connected").Call.CallID, dec("calltransfer.initiated").Call.CallID; a != b {
		t.Errorf("the transfer is not the dial-in caller's call: %q, %q", a, b)
	}
	if a, b := dec("meeting.started").SessionID, dec("calltransfer.initiated").SessionID; a != b {
		t.Errorf("meeting session %q, transfer's %q", a, b)
	}
}

func TestIsTest(t *testing.T) {
	cases := map[string]bool{
		`{"test":"test"}`:                          true,
		` {"test" : "test"} `:                      true,
		`{"test":true}`:                            true,
		`{"test":"test","type":null}`:              true,
		`{"test":"test","payload":{}}`:             true,
		`{"test":"test","type":"meeting.started"}`: false,
		`{"type":"meeting.started"}`:               false,
		`{}`:                                       false,
		`{"Test":"test"}`:                          false,
		`["test"]`:                                 false,
		`"test"`:                                   false,
		`null`:                                     false,
		``:                                         false,
		`{"test":"test"`:                           false,
		`{"test":"test"} {}`:                       false,
		`test`:                                     false,
	}
	for body, want := range cases {
		if got := IsTest([]byte(body)); got != want {
			t.Errorf("IsTest(%q) = %v, want %v", body, got, want)
		}
	}
}

// malformedBodies are not Daily webhooks at all.
var malformedBodies = []string{
	"",
	"   ",
	"not json",
	"[]",
	"{}",
	"null",
	"42",
	`"meeting.started"`,
	`{"test":"test"}`,
	`{"type": 5}`,
	`{"type": true}`,
	`{"type": ""}`,
	`{"type": "   "}`,
	`{"type": "\u0000"}`,
	`{"type": " \u0000\t"}`,
	`{"type": null}`,
	`{"type": ["meeting.started"]}`,
	`{"type": {"name": "meeting.started"}}`,
	`{"Type": "meeting.started"}`,
	`{"type":"meeting.started"`,
	`{"type":"meeting.started"} {}`,
	`{"payload": {"room": "consult-42"}}`,
}

func TestDecodeMalformed(t *testing.T) {
	for _, body := range malformedBodies {
		t.Run(body, func(t *testing.T) { webhooktest.CheckMalformed(t, Decode, ErrMalformed, []byte(body)) })
	}
}

// TestDecodeLenient: bodies that are webhooks, however odd, decode.
func TestDecodeLenient(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		want     models.Event
		problems []string
	}{
		{"type only", `{"type":"meeting.started"}`,
			models.Event{Type: "meeting.started", Session: &models.SessionChange{}}, nil},
		{"type trimmed", `{"type":" meeting.ended\n","payload":{"room":"r"}}`,
			models.Event{Type: "meeting.ended", MeetingID: "r", Session: &models.SessionChange{Ended: true}}, nil},
		{"null payload", `{"type":"x.y","id":"e1","payload":null}`,
			models.Event{Type: "x.y", ProviderEventID: "e1"}, nil},
		{"payload an array", `{"type":"participant.joined","payload":[1]}`,
			models.Event{Type: "participant.joined", Participant: &models.ParticipantChange{}}, []string{"payload"}},
		{"id an object", `{"type":"x","id":{"a":1}}`,
			models.Event{Type: "x"}, []string{"id"}},
		{"room wins over room_name", `{"type":"streaming.error","payload":{"room":"a","room_name":"b","room_id":"c","instance_id":"i"}}`,
			models.Event{Type: "streaming.error", MeetingID: "a", Stream: &models.StreamChange{
				Kind: models.StreamLivestream, Key: "i", ExternalID: "i", Stage: models.StageFailed}}, nil},
		{"room of the wrong kind gives way to room_name", `{"type":"dialin.ready","payload":{"room":{},"room_name":"b"}}`,
			models.Event{Type: "dialin.ready", MeetingID: "b"}, []string{"payload.room"}},
		{"meeting_id wins over mtg_session_id", `{"type":"meeting.started","payload":{"meeting_id":"m","mtg_session_id":"s"}}`,
			models.Event{Type: "meeting.started", SessionID: "m", Session: &models.SessionChange{}}, nil},
		{"mtg_session_id names the session of other events", `{"type":"participant.joined","payload":{"mtg_session_id":"s","session_id":"p"}}`,
			models.Event{Type: "participant.joined", SessionID: "s", Participant: &models.ParticipantChange{ParticipantID: "p"}}, nil},
		{"owner false", `{"type":"participant.joined","payload":{"user_id":"u","owner":false}}`,
			models.Event{Type: "participant.joined", Participant: &models.ParticipantChange{ParticipantID: "u"}}, nil},
		{"owner as text", `{"type":"participant.joined","payload":{"user_id":"u","owner":"true"}}`,
			models.Event{Type: "participant.joined", Participant: &models.ParticipantChange{ParticipantID: "u", Role: "owner"}}, nil},
		{"recording.started with instance_id only", `{"type":"recording.started","payload":{"instance_id":"i"}}`,
			models.Event{Type: "recording.started", Recording: &models.RecordingChange{
				Kind: models.RecordingMeeting, InstanceID: "i", Stage: models.StageStarted}}, nil},
		{"recording.started without ids", `{"type":"recording.started","payload":{"start_ts":1}}`,
			models.Event{Type: "recording.started"}, []string{"recording_id"}},
		{"tracks of the wrong kinds", `{"type":"recording.ready-to-download","payload":{"recording_id":"r","s3_key":"k","tracks":[{"s3Key":"t"},5,{"s3Key":null},{"s3Key":[]}]}}`,
			models.Event{Type: "recording.ready-to-download", Recording: &models.RecordingChange{
				Kind: models.RecordingMeeting, Key: "r", ExternalID: "r", Stage: models.StageStopped,
				Files: []models.File{{Path: "k"}, {Path: "t"}}}},
			[]string{"payload.tracks[1]", "payload.tracks[3].s3Key"}},
		{"tracks not an array", `{"type":"recording.ready-to-download","payload":{"recording_id":"r","tracks":{}}}`,
			models.Event{Type: "recording.ready-to-download", Recording: &models.RecordingChange{
				Kind: models.RecordingMeeting, Key: "r", ExternalID: "r", Stage: models.StageStopped}},
			[]string{"payload.tracks"}},
		{"error object kept as JSON", `{"type":"transcript.error","payload":{"id":"t","error":{ "code" : 7 }}}`,
			models.Event{Type: "transcript.error", Transcription: &models.TranscriptionChange{
				Kind: models.KindTranscription, Key: "t", Stage: models.StageFailed, Message: `{"code":7}`}}, nil},
		{"track sizes of the wrong kinds", `{"type":"recording.ready-to-download","payload":{"recording_id":"r","tracks":[{"s3Key":"a","size":"5.5"},{"s3Key":"b","size":true},{"s3Key":"c","size":"12e3"}]}}`,
			models.Event{Type: "recording.ready-to-download", Recording: &models.RecordingChange{
				Kind: models.RecordingMeeting, Key: "r", ExternalID: "r", Stage: models.StageStopped,
				Files: []models.File{{Path: "a"}, {Path: "b"}, {Path: "c", Size: 12000}}}},
			[]string{`payload.tracks[0].size: unreadable size "5.5"`, "payload.tracks[1].size: expected a number"}},
		{"transcript out_params of the wrong kind", `{"type":"transcript.started","payload":{"id":"t","out_params":{"s3":"k"}}}`,
			models.Event{Type: "transcript.started", Transcription: &models.TranscriptionChange{
				Kind: models.KindTranscription, Key: "t", Stage: models.StageStarted}}, []string{"payload.out_params.s3"}},
		{"transcript without id", `{"type":"transcript.started","payload":{"room_id":"r"}}`,
			models.Event{Type: "transcript.started", MeetingID: "r"}, []string{"id"}},
		{"stream without instance_id", `{"type":"streaming.ended","payload":{}}`,
			models.Event{Type: "streaming.ended"}, []string{"instance_id"}},
		{"call without session_id", `{"type":"dialout.answered","payload":{"room":"r","timestamp":"1717001006"}}`,
			models.Event{Type: "dialout.answered", MeetingID: "r"}, []string{"session_id"}},
		{"unreadable call time keeps its text", `{"type":"dialin.stopped","payload":{"session_id":"s","timestamp":"yesterday"}}`,
			models.Event{Type: "dialin.stopped", Call: &models.CallChange{CallID: "s", Direction: "inbound",
				Step: "dialin.stopped", Status: "stopped", AtText: "yesterday"}}, []string{"payload.timestamp"}},
		{"call time of the wrong kind", `{"type":"dialin.stopped","payload":{"session_id":"s","timestamp":{}}}`,
			models.Event{Type: "dialin.stopped", Call: &models.CallChange{CallID: "s", Direction: "inbound",
				Step: "dialin.stopped", Status: "stopped"}}, []string{"payload.timestamp: expected a number"}},
		{"call details only where given", `{"type":"dialout.connected","payload":{"session_id":"s","caller_id":"c","display_name":"<Dr & Co>"}}`,
			models.Event{Type: "dialout.connected", Call: &models.CallChange{CallID: "s", Direction: "outbound",
				Step: "dialout.connected", Status: "connected",
				AdditionalDetails: `{"display_name":"<Dr & Co>","caller_id":"c"}`}}, nil},
		{"transfer, REFER false and no extras", `{"type":"calltransfer.answered","payload":{"session_id":"s","is_sip_refer":false}}`,
			models.Event{Type: "calltransfer.answered", Call: &models.CallChange{CallID: "s",
				Step: "calltransfer.answered", Status: "transfer-answered"}}, nil},
		{"transfer with an error message", `{"type":"calltransfer.completed","payload":{"session_id":"s","is_sip_refer":"no","error_msg":"timeout","complete_status":"no-answer"}}`,
			models.Event{Type: "calltransfer.completed", Call: &models.CallChange{CallID: "s",
				Step: "calltransfer.completed", Status: "transfer-completed", Detail: "timeout; complete status: no-answer"}},
			[]string{"payload.is_sip_refer"}},
		{"unknown type in a known family", `{"type":"dialout.ringing","payload":{"session_id":"s","room":"r"}}`,
			models.Event{Type: "dialout.ringing", MeetingID: "r"}, nil},
		{"numbers read as text", `{"type":"participant.left","id":12,"payload":{"room":7,"user_id":-3.5}}`,
			models.Event{Type: "participant.left", ProviderEventID: "12", MeetingID: "7",
				Participant: &models.ParticipantChange{ParticipantID: "-3.5", Left: true}}, nil},
		{"duplicate keys: the last wins", `{"type":"a","type":"meeting.ended","payload":{"room":"x","room":"y"}}`,
			models.Event{Type: "meeting.ended", MeetingID: "y", Session: &models.SessionChange{Ended: true}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := Decode([]byte(tc.body))
			if err != nil {
				t.Fatalf("Decode(%s): %v", tc.body, err)
			}
			webhooktest.CheckClean(t, ev)
			checkJSONFields(t, ev)
			webhooktest.CheckProblems(t, ev.Problems, tc.problems)
			ev.Problems = nil
			if d := webhooktest.EventDiff(ev, tc.want); d != "" {
				t.Errorf("mismatch:\n%s", d)
			}
		})
	}
}

// TestDecodeTimes: times are Unix seconds (milliseconds when 1e11 or
// more), as numbers or numeric strings, read exactly; they come out in UTC,
// and whatever cannot be read, or falls outside 1970..9999, is nil and
// noted.
func TestDecodeTimes(t *testing.T) {
	cases := []struct {
		name  string
		value string // JSON text of start_ts
		want  *time.Time
	}{
		{"integer", `1717000000`, at(1717000000, 0)},
		{"float", `1708972279.961`, at(1708972279, 961_000_000)},
		{"float with a long fraction", `1708972279.96100001525878906`, at(1708972279, 961_000_015)},
		{"numeric string", `"1728023426"`, at(1728023426, 0)},
		{"float string", `"1708972279.961"`, at(1708972279, 961_000_000)},
		{"string with spaces", `" 1728023426 "`, at(1728023426, 0)},
		{"exponent", `1.708972279961e9`, at(1708972279, 961_000_000)},
		{"exponent with sign", `17089722799.61E-1`, at(1708972279, 961_000_000)},
		{"milliseconds", `1708972279961`, at(1708972279, 961_000_000)},
		{"milliseconds with a fraction", `1708972279961.5`, at(1708972279, 961_500_000)},
		{"one second", `1`, at(1, 0)},
		{"largest seconds", `99999999999`, at(99999999999, 0)},
		{"year 9999 in milliseconds", `253402300799999`, at(253402300799, 999_000_000)},
		{"year 10000 in milliseconds", `253402300800000`, nil},
		{"zero", `0`, nil},
		{"zero fraction", `0.0`, nil},
		{"negative", `-5`, nil},
		{"negative fraction", `"-0.25"`, nil},
		{"too many digits", `1000000000000000000000`, nil},
		{"huge exponent", `1e999999999`, nil},
		{"tiny exponent", `1e-999999999`, nil},
		{"words", `"soon"`, nil},
		{"ISO text", `"2024-05-29T16:26:40Z"`, nil},
		{"empty text", `""`, nil},
		{"hex", `"0x66574f40"`, nil},
		{"boolean", `true`, nil},
		{"object", `{"s":1}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"type":"meeting.started","payload":{"start_ts":` + tc.value + `}}`
			ev, err := Decode([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Session == nil {
				t.Fatalf("no session change: %s", webhooktest.Dump(ev))
			}
			got := ev.Session.Start
			switch {
			case tc.want == nil && got != nil:
				t.Errorf("start_ts %s = %s, want nil", tc.value, webhooktest.FmtTime(got))
			case tc.want == nil && tc.value != `""`:
				webhooktest.CheckProblems(t, ev.Problems, []string{"payload.start_ts"})
			case tc.want == nil:
				webhooktest.CheckProblems(t, ev.Problems, nil)
			case got == nil:
				t.Errorf("start_ts %s = nil (%q), want %s", tc.value, ev.Problems, webhooktest.FmtTime(tc.want))
			case !got.Equal(*tc.want) || got.Location() != time.UTC:
				t.Errorf("start_ts %s = %s, want %s", tc.value, webhooktest.FmtTime(got), webhooktest.FmtTime(tc.want))
			default:
				webhooktest.CheckProblems(t, ev.Problems, nil)
			}
		})
	}
}

// TestDecodeParticipantAt: a join is at joined_at; a leave at joined_at +
// duration when both can be read, else nil (the arrival time stands in).
func TestDecodeParticipantAt(t *testing.T) {
	cases := []struct {
		name, typ, payload string
		want               *time.Time
		problems           []string
	}{
		{"join", "joined", `"joined_at":1717000005.33`, leeJoined, nil},
		{"join ignores duration", "joined", `"joined_at":1717000005.33,"duration":"x"`, leeJoined, nil},
		{"leave", "left", `"joined_at":1717000005.33,"duration":11.419000148773193`, at(1717000016, 749_000_148), nil},
		{"leave, duration as text", "left", `"joined_at":"1717000005.33","duration":"10"`, at(1717000015, 330_000_000), nil},
		{"leave, zero duration", "left", `"joined_at":1717000005.33,"duration":0`, leeJoined, nil},
		{"leave without duration", "left", `"joined_at":1717000005.33`, nil, nil},
		{"leave with null duration", "left", `"joined_at":1717000005.33,"duration":null`, nil, nil},
		{"leave without joined_at", "left", `"duration":12`, nil, nil},
		{"leave, negative duration", "left", `"joined_at":1717000005.33,"duration":-1`, nil, []string{"payload.duration"}},
		{"leave, duration a boolean", "left", `"joined_at":1717000005.33,"duration":true`, nil, []string{"payload.duration"}},
		{"leave, duration past 9999", "left", `"joined_at":253402300000000,"duration":9000000000`, nil, []string{"payload.duration"}},
		{"leave, duration too long to hold", "left", `"joined_at":1717000005.33,"duration":1e15`, nil, []string{"payload.duration"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := Decode([]byte(`{"type":"participant.` + tc.typ + `","payload":{"user_id":"u",` + tc.payload + `}}`))
			if err != nil {
				t.Fatal(err)
			}
			webhooktest.CheckProblems(t, ev.Problems, tc.problems)
			p := ev.Participant
			if p == nil || p.Left != (tc.typ == "left") || p.ParticipantID != "u" {
				t.Fatalf("got %s", webhooktest.Dump(ev))
			}
			switch {
			case tc.want == nil && p.At != nil, tc.want != nil && (p.At == nil || !p.At.Equal(*tc.want)):
				t.Errorf("At = %s, want %s", webhooktest.FmtTime(p.At), webhooktest.FmtTime(tc.want))
			case p.At != nil && p.At.Location() != time.UTC:
				t.Errorf("At = %s, not in UTC", webhooktest.FmtTime(p.At))
			}
		})
	}
}

// TestDecodeCleansText: invalid UTF-8 and NUL never reach the event, in
// any field, JSON text included.
func TestDecodeCleansText(t *testing.T) {
	t.Run("participant", func(t *testing.T) {
		body := "{\"type\":\"participant.left\",\"id\":\"e\\u0000\",\"payload\":{" +
			"\"room\":\"r\\u0000x\",\"user_id\":\"\\u0000\",\"session_id\":\"p\xffq\"," +
			"\"user_name\":\"J\\u0000o\xc3(hn\"}}"
		ev, err := Decode([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		want := models.Event{Type: "participant.left", ProviderEventID: "e", MeetingID: "rx",
			Participant: &models.ParticipantChange{ParticipantID: "p\uFFFDq", Name: "Jo\uFFFD(hn", Left: true}}
		if d := webhooktest.EventDiff(ev, want); d != "" {
			t.Errorf("mismatch:\n%s", d)
		}
	})
	t.Run("NUL stripped from type", func(t *testing.T) {
		ev, err := Decode([]byte(`{"type":"meeting.\u0000ended"}`))
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type != "meeting.ended" || ev.Session == nil {
			t.Errorf("got %s", webhooktest.Dump(ev))
		}
	})
	t.Run("SIP headers", func(t *testing.T) {
		ev, err := Decode([]byte("{\"type\":\"dialin.connected\",\"payload\":{\"session_id\":\"s\"," +
			"\"sip_headers\":{\"X-A\\u0000\":\"v\\u0000\xff\",\"X-A\":\"w\",\"X-B\":[\"\\u0000\",1.50,{\"k\":null}]}," +
			"\"display_name\":\"\\u0000\\\\u0000\"}}"))
		if err != nil {
			t.Fatal(err)
		}
		webhooktest.CheckClean(t, ev)
		checkJSONFields(t, ev)
		if want := `{"X-A":"w","X-B":["",1.50,{"k":null}]}`; ev.Call.MetaData != want {
			t.Errorf("MetaData = %s, want %s", ev.Call.MetaData, want)
		}
		if want := `{"display_name":"\\u0000"}`; ev.Call.AdditionalDetails != want {
			t.Errorf("AdditionalDetails = %s, want %s", ev.Call.AdditionalDetails, want)
		}
	})
	bodies := map[string]string{
		"recording": "{\"type\":\"recording.ready-to-download\",\"payload\":{\"recording_id\":\"r\\u0000\xfe\"," +
			"\"s3_key\":\"/p\\u0000\",\"type\":\"\xff\",\"tracks\":[{\"s3Key\":\"\\u0000\"},{\"s3Key\":\"u\xc0\"}]}}",
		"recording error": "{\"type\":\"recording.error\",\"payload\":{\"instance_id\":\"\\ud800\",\"error_msg\":{\"\xff\":\"\\u0000\"}}}",
		"call": "{\"type\":\"calltransfer.completed\",\"payload\":{\"session_id\":\"\\u0000s\",\"room\":\"\xff\"," +
			"\"timestamp\":\"17\\u000017\",\"from_endpoint\":\"\xf0\x28\x8c\x28\",\"complete_status\":\"\\u0000\"}}",
		"stream":     "{\"type\":\"streaming.error\",\"payload\":{\"instance_id\":\"\xff\",\"error_message\":\"a\\u0000\"}}",
		"transcript": "{\"type\":\"transcript.error\",\"payload\":{\"id\":\"\xff\",\"room_id\":\"\\u0000\",\"error\":[\"\\u0000\"]}}",
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			ev, err := Decode([]byte(body))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !ev.HasChange() {
				t.Errorf("no change: %s (%q)", webhooktest.Dump(ev), ev.Problems)
			}
			webhooktest.CheckClean(t, ev)
			checkJSONFields(t, ev)
		})
	}
}

// TestDecodeRecordingTimes: a recording's stage time is the payload's
// (started: start_ts; ready-to-download: start_ts + duration, with start_ts
// as the start; error: timestamp, number or numeric string). Where it
// cannot be read it is nil, so the arrival time stands in, and the problem
// says so.
func TestDecodeRecordingTimes(t *testing.T) {
	cases := []struct {
		name, typ, payload string
		at, started        *time.Time
		problems           []string
	}{
		{"started", "started", `"start_ts":1717000200`, recStart, nil, nil},
		{"started, numeric string", "started", `"start_ts":"1717000200"`, recStart, nil, nil},
		{"started without start_ts", "started", ``, nil, nil, nil},
		{"started, start_ts unreadable", "started", `"start_ts":"today"`, nil, nil, []string{"payload.start_ts: unreadable time \"today\"; the arrival time stands in"}},
		{"ready", "ready-to-download", `"start_ts":1717000200,"duration":3400`, recEnd, recStart, nil},
		{"ready, duration as text", "ready-to-download", `"start_ts":1717000200,"duration":"3400"`, recEnd, recStart, nil},
		{"ready without duration", "ready-to-download", `"start_ts":1717000200`, nil, recStart, nil},
		{"ready, duration unreadable", "ready-to-download", `"start_ts":1717000200,"duration":"1h"`, nil, recStart, []string{"payload.duration: unreadable duration \"1h\"; the arrival time stands in"}},
		{"ready, start_ts unreadable", "ready-to-download", `"start_ts":false,"duration":3400`, nil, nil, []string{"payload.start_ts"}},
		{"ready, past 9999", "ready-to-download", `"start_ts":253402300000000,"duration":9000000`, nil, at(253402300000, 0), []string{"payload.duration: start + duration is past the year 9999"}},
		{"error", "error", `"timestamp":1717000300`, at(1717000300, 0), nil, nil},
		{"error, numeric string", "error", `"timestamp":"1717000300"`, at(1717000300, 0), nil, nil},
		{"error, milliseconds", "error", `"timestamp":1717000300250`, at(1717000300, 250_000_000), nil, nil},
		{"error, timestamp unreadable", "error", `"timestamp":"n/a"`, nil, nil, []string{"payload.timestamp: unreadable time \"n/a\"; the arrival time stands in"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fields := `"recording_id":"` + fxRec + `","instance_id":"` + fxInst + `"`
			if tc.payload != "" {
				fields += "," + tc.payload
			}
			ev, err := Decode([]byte(`{"type":"recording.` + tc.typ + `","payload":{` + fields + `}}`))
			if err != nil {
				t.Fatal(err)
			}
			webhooktest.CheckProblems(t, ev.Problems, tc.problems)
			r := ev.Recording
			if r == nil {
				t.Fatalf("no recording change: %s", webhooktest.Dump(ev))
			}
			for _, c := range []struct {
				name      string
				got, want *time.Time
			}{{"At", r.At, tc.at}, {"StartedAt", r.StartedAt, tc.started}} {
				if (c.got == nil) != (c.want == nil) || c.got != nil && (!c.got.Equal(*c.want) || c.got.Location() != time.UTC) {
					t.Errorf("%s = %s, want %s", c.name, webhooktest.FmtTime(c.got), webhooktest.FmtTime(c.want))
				}
			}
		})
	}
}
