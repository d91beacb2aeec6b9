package iotum

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/webhooktest"
	"github.com/meetboard/meetboard/models"
)

// Values that recur in the fixtures.
const (
	fxConf        = "1258835"
	fxNewConf     = "1258902"
	fxKey         = "conference/" + fxConf
	fxDialed      = "7120351" // dialed out, joins, becomes moderator, leaves
	fxPhone       = "+14165550123"
	fxRecordingID = "903311"
	fxDownload    = "https://callbridge-recordings.s3.amazonaws.com/61803/1258835/903311.mp4"
	fxMeetingURL  = "https://iotum.callbridge.rocks/conf/call/1258835"
	fxPreview     = "https://callbridge-previews.s3.amazonaws.com/61803/1258835/preview"
)

// at is a time on the day of the fixtures' conference, 2022-08-24, in UTC.
func at(hour, min, sec int) *time.Time {
	t := time.Date(2022, time.August, 24, hour, min, sec, 0, time.UTC)
	return &t
}

func stamp(hour, min, sec int) string {
	return at(hour, min, sec).Format("2006-01-02T15:04:05.000Z")
}

// conf is an event of the fixtures' conference (meeting and session).
func conf(typ string) models.Event {
	return models.Event{Type: typ, MeetingID: fxConf, SessionID: fxConf}
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
	ev.Recording = &r
	return ev
}

func withStream(ev models.Event, s models.StreamChange) models.Event {
	ev.Stream = &s
	return ev
}

func rec(stage models.Stage, when *time.Time) models.RecordingChange {
	return models.RecordingChange{Kind: models.RecordingMeeting, Key: fxKey, Stage: stage, At: when}
}

func dialoutEv(status, participant, phone string, hour, min, sec int) models.Event {
	ev := conf("dialout_status_change")
	ev.Call = &models.CallChange{
		CallID:    "dialout/" + fxConf + "/" + participant,
		RoomID:    fxConf,
		Direction: "outbound",
		To:        phone,
		Step:      "dialout_status_change",
		Status:    status,
		At:        at(hour, min, sec),
		AtText:    stamp(hour, min, sec),
	}
	return ev
}

type decodeCase struct {
	want models.Event
	// problems lists substrings, one per expected problem, in order; the
	// problems are not compared otherwise.
	problems []string
}

// docCases has one row per fixture in testdata: every event of iotum's
// documentation, and one dialout_status_change per status. The timestamps
// run through one conference's story.
var docCases = map[string]decodeCase{
	"profile_picture_upload_failure": {want: models.Event{Type: "profile_picture_upload_failure"}},
	"profile_picture_upload_success": {want: models.Event{Type: "profile_picture_upload_success"}},
	"drive_file_added":               {want: models.Event{Type: "drive_file_added"}},
	"conference_start": {want: withSession(conf("conference_start"),
		models.SessionChange{Start: at(20, 5, 0)})},
	"dialout_status_change-new":      {want: dialoutEv("new", fxDialed, fxPhone, 20, 6, 2)},
	"dialout_status_change-dialed":   {want: dialoutEv("dialed", fxDialed, fxPhone, 20, 6, 3)},
	"dialout_status_change-answered": {want: dialoutEv("answered", fxDialed, fxPhone, 20, 6, 15)},
	"enter_conference": {want: func() models.Event {
		ev := withParticipant(conf("enter_conference"), models.ParticipantChange{ParticipantID: fxDialed, Role: "participant", At: at(20, 6, 21)})
		ev.MeetingURL = fxMeetingURL
		return ev
	}()},
	"dialout_status_change-rejected":   {want: dialoutEv("rejected", "7120352", "+16475550188", 20, 7, 40)},
	"dialout_status_change-noanswer":   {want: dialoutEv("noanswer", "7120353", "+12125550147", 20, 8, 33)},
	"dialout_status_change-cancelled":  {want: dialoutEv("cancelled", "7120354", "+14155550162", 20, 9, 5)},
	"dialout_status_change-notenabled": {want: dialoutEv("notenabled", "7120355", "+442079460958", 20, 9, 30)},
	"participant_role_changed": {want: withParticipant(conf("participant_role_changed"),
		models.ParticipantChange{ParticipantID: fxDialed, Update: true, Role: "moderator", At: at(20, 10, 12)})},
	"start_recording": {want: withRecording(conf("start_recording"), rec(models.StageStarted, at(20, 12, 0)))},
	"start_streaming": {want: withStream(conf("start_streaming"),
		models.StreamChange{Kind: models.StreamLivestream, Key: fxKey, Stage: models.StageStarted, At: at(20, 13, 0)})},
	"stream_preview_updated": {want: withStream(conf("stream_preview_updated"), models.StreamChange{Kind: models.StreamLivestream, Key: fxKey,
		PreviewURL: fxPreview + ".mp4", PreviewImageURL: fxPreview + ".jpg", At: at(20, 13, 45)})},
	"enter_livestream": {want: conf("enter_livestream")},
	"start_broadcasting": {want: withStream(conf("start_broadcasting"),
		models.StreamChange{Kind: models.StreamBroadcast, Key: fxKey, Stage: models.StageStarted, At: at(20, 15, 0)})},
	"stop_broadcasting": {want: withStream(conf("stop_broadcasting"),
		models.StreamChange{Kind: models.StreamBroadcast, Key: fxKey, Stage: models.StageStopped, At: at(20, 40, 0)})},
	"leave_livestream": {want: conf("leave_livestream")},
	"stop_streaming": {want: withStream(conf("stop_streaming"),
		models.StreamChange{Kind: models.StreamLivestream, Key: fxKey, Stage: models.StageStopped, At: at(20, 45, 0)})},
	"stop_recording": {want: withRecording(conf("stop_recording"), rec(models.StageStopped, at(20, 50, 0)))},
	"leave_conference": {want: withParticipant(conf("leave_conference"), models.ParticipantChange{
		ParticipantID: fxDialed, Left: true, Reason: "user_exit", Role: "moderator", At: at(20, 55, 41)})},
	"conference_end": {want: withSession(conf("conference_end"),
		models.SessionChange{Ended: true, End: at(20, 56, 55)})},
	"recording_ready": {want: withRecording(conf("recording_ready"), models.RecordingChange{
		Kind: models.RecordingMeeting, Key: fxKey, ExternalID: fxRecordingID, Stage: models.StageCompleted,
		Files: []models.File{{URL: fxDownload}}, At: at(21, 3, 12)})},
	"transcription_ready": {want: func() models.Event {
		ev := conf("transcription_ready")
		ev.Transcription = &models.TranscriptionChange{Kind: models.KindTranscription, Key: fxKey, Stage: models.StageCompleted, At: at(21, 9, 40)}
		return ev
	}()},
	"drive_file_deleted": {want: models.Event{Type: "drive_file_deleted"}},
	"one_time_access_code_reused": {want: models.Event{Type: "one_time_access_code_reused",
		MeetingID: fxNewConf, SessionID: fxNewConf}},
}

// edgeCases: odd deliveries that still decode.
var edgeCases = map[string]decodeCase{
	"timestamp-unparseable": {
		want:     withSession(conf("conference_start"), models.SessionChange{}),
		problems: []string{`timestamp: unparseable time "24/08/2022 20:05:00"; the arrival time stands in`},
	},
	"timestamp-number": {
		want:     withSession(conf("conference_end"), models.SessionChange{Ended: true}),
		problems: []string{`timestamp: unparseable time "1661374615"; the arrival time stands in`},
	},
	"ids-as-strings": {want: docCases["enter_conference"].want},
	"wrong-field-types": {
		want: withParticipant(conf("leave_conference"),
			models.ParticipantChange{ParticipantID: fxDialed, Left: true, At: at(20, 55, 41)}),
		problems: []string{"participant_role: expected a string, got an array", "reason_for_leaving: expected a string, got an object"},
	},
	"conference-id-object": {
		want:     models.Event{Type: "start_recording"},
		problems: []string{"conference_id: expected a string, got an object", "conference_id is missing"},
	},
	"unknown-event": {want: conf("conference_locked")},
	"dialout-no-participant-id": {want: func() models.Event {
		ev := dialoutEv("dialed", "+14165550142", "+14165550142", 20, 7, 1)
		return ev
	}()},
	// image_url is optional: the video alone is the preview.
	"stream-preview-no-image": {want: withStream(conf("stream_preview_updated"), models.StreamChange{Kind: models.StreamLivestream, Key: fxKey,
		PreviewURL: fxPreview + ".mp4", At: at(20, 14, 45)})},
	"payload-null-literal": {
		want:     models.Event{Type: "conference_end"},
		problems: []string{"conference_id is missing"},
	},
}

func runCases(t *testing.T, dir string, cases map[string]decodeCase) {
	t.Helper()
	for _, name := range webhooktest.FixtureTable(t, dir, cases) {
		tc := cases[name]
		t.Run(name, func(t *testing.T) {
			got, err := Decode(webhooktest.ReadFixture(t, filepath.Join(dir, name+".json")))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			webhooktest.CheckProblems(t, got.Problems, tc.problems)
			webhooktest.CheckClean(t, got)
			got.Problems = nil
			if d := webhooktest.EventDiff(got, tc.want); d != "" {
				t.Errorf("mismatch:\n%s", d)
			}
		})
	}
}

func TestDecodeDocEvents(t *testing.T) { runCases(t, "", docCases) }
func TestDecodeEdge(t *testing.T)      { runCases(t, "edge", edgeCases) }

// docEvents are the event names of iotum's documentation.
var docEvents = []string{
	"conference_start", "conference_end", "start_recording", "stop_recording", "start_streaming",
	"stop_streaming", "recording_ready", "transcription_ready", "enter_livestream", "leave_livestream",
	"stream_preview_updated", "profile_picture_upload_success", "profile_picture_upload_failure",
	"enter_conference", "leave_conference", "dialout_status_change", "participant_role_changed",
	"start_broadcasting", "stop_broadcasting", "drive_file_added", "drive_file_deleted",
	"one_time_access_code_reused",
}

// TestFixturesCoverTheDoc: every documented event has a fixture, and
// dialout_status_change one per status; each fixture is in the doc's
// envelope form, names its event after its file, and the timestamps run
// forward through the story.
func TestFixturesCoverTheDoc(t *testing.T) {
	have := map[string]bool{}
	for _, n := range webhooktest.FixtureNames(t, "") {
		have[n] = true
	}
	for _, e := range docEvents {
		if e == "dialout_status_change" {
			for _, s := range []string{"new", "dialed", "answered", "rejected", "noanswer", "cancelled", "notenabled"} {
				if !have[e+"-"+s] {
					t.Errorf("no fixture %s-%s.json", e, s)
				}
			}
			continue
		}
		if !have[e] {
			t.Errorf("no fixture %s.json", e)
		}
	}
	type entry struct {
		name string
		at   time.Time
	}
	var story []entry
	for name := range have {
		var env struct {
			Event     string `json:"event"`
			Payload   string `json:"payload"`
			Timestamp string `json:"timestamp"`
		}
		if err := json.Unmarshal(webhooktest.ReadFixture(t, name+".json"), &env); err != nil {
			t.Errorf("%s: not the doc's envelope (payload must be a string): %v", name, err)
			continue
		}
		if want, _, _ := strings.Cut(name, "-"); env.Event != want {
			t.Errorf("%s: event = %q, want %q", name, env.Event, want)
		}
		var payload map[string]any
		if err := json.Unmarshal([]byte(env.Payload), &payload); err != nil {
			t.Errorf("%s: payload does not hold a JSON object: %v", name, err)
		}
		for _, k := range []string{"host_id", "company_id", "conference_id", "participant_id", "recording_id"} {
			if v, ok := payload[k]; ok {
				if _, num := v.(float64); !num {
					t.Errorf("%s: %s = %v, want a number", name, k, v)
				}
			}
		}
		ts, err := time.Parse(time.RFC3339, env.Timestamp)
		if err != nil {
			t.Errorf("%s: timestamp: %v", name, err)
		}
		story = append(story, entry{name, ts})
	}
	sort.Slice(story, func(i, j int) bool { return story[i].at.Before(story[j].at) })
	for i := 1; i < len(story); i++ {
		if !story[i].at.After(story[i-1].at) {
			t.Errorf("%s and %s share the timestamp %s", story[i-1].name, story[i].name, story[i].at)
		}
	}
	// The story's order: the conference starts before anyone joins, ends
	// after they all left, and the recording is ready after it stopped.
	pos := map[string]int{}
	for i, e := range story {
		pos[e.name] = i
	}
	for _, order := range [][2]string{
		{"conference_start", "dialout_status_change-new"},
		{"dialout_status_change-new", "dialout_status_change-dialed"},
		{"dialout_status_change-dialed", "dialout_status_change-answered"},
		{"dialout_status_change-answered", "enter_conference"},
		{"enter_conference", "participant_role_changed"},
		{"participant_role_changed", "leave_conference"},
		{"start_recording", "stop_recording"},
		{"start_streaming", "enter_livestream"},
		{"enter_livestream", "leave_livestream"},
		{"leave_livestream", "stop_streaming"},
		{"start_broadcasting", "stop_broadcasting"},
		{"leave_conference", "conference_end"},
		{"stop_recording", "recording_ready"},
		{"conference_end", "transcription_ready"},
		{"drive_file_added", "drive_file_deleted"},
		{"conference_end", "one_time_access_code_reused"},
	} {
		if pos[order[0]] >= pos[order[1]] {
			t.Errorf("%s should come before %s", order[0], order[1])
		}
	}
}

// TestDecodeKeysFold: every stage of a conference's recording, stream,
// broadcast and transcription carries the same key, so they fold into one.
func TestDecodeKeysFold(t *testing.T) {
	keys := map[string][]string{}
	for _, name := range webhooktest.FixtureNames(t, "") {
		ev, err := Decode(webhooktest.ReadFixture(t, name+".json"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		switch {
		case ev.Recording != nil:
			keys["recording "+ev.Recording.Key] = append(keys["recording "+ev.Recording.Key], name)
		case ev.Stream != nil:
			k := "stream " + string(ev.Stream.Kind) + " " + ev.Stream.Key
			keys[k] = append(keys[k], name)
		}
	}
	want := map[string][]string{
		"recording " + fxKey:         {"recording_ready", "start_recording", "stop_recording"},
		"stream livestream " + fxKey: {"start_streaming", "stop_streaming", "stream_preview_updated"},
		"stream broadcast " + fxKey:  {"start_broadcasting", "stop_broadcasting"},
	}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
}

// malformedBodies are not iotum webhooks at all.
var malformedBodies = []string{
	"",
	"   ",
	"not json",
	"[]",
	"{}",
	"null",
	"42",
	`"conference_start"`,
	`{"event": 5}`,
	`{"event": ""}`,
	`{"event": "   "}`,
	`{"event": "\u0000"}`,
	`{"event": null}`,
	`{"event": ["conference_start"]}`,
	`{"event": {"name": "conference_start"}}`,
	`{"Event": "conference_start"}`,
	`{"event":"conference_start"`,
	`{"event":"conference_start"} {}`,
	`{"payload": "{\"conference_id\":1258835}", "timestamp": "2022-08-24T20:05:00.000Z"}`,
	`{"event":"conference_start","payload":{"conference_id":1258835}}`,
	`{"event":"conference_start","payload":1258835}`,
	`{"event":"conference_start","payload":true}`,
	`{"event":"conference_start","payload":["{}"]}`,
	`{"event":"conference_start","payload":""}`,
	`{"event":"conference_start","payload":"   "}`,
	`{"event":"conference_start","payload":"null"}`,
	`{"event":"conference_start","payload":"1258835"}`,
	`{"event":"conference_start","payload":"\"{}\""}`,
	`{"event":"conference_start","payload":"[]"}`,
	`{"event":"conference_start","payload":"{conference_id: 1258835}"}`,
	`{"event":"conference_start","payload":"{\"conference_id\":1258835"}`,
	`{"event":"conference_start","payload":"{\"conference_id\":1258835,}"}`,
	`{"event":"conference_start","payload":"{} {}"}`,
	`{"event":"conference_start","payload":"{\"conference_id\":1258835}x"}`,
}

func TestDecodeMalformed(t *testing.T) {
	for _, name := range webhooktest.FixtureNames(t, "malformed") {
		t.Run("testdata/"+name, func(t *testing.T) {
			webhooktest.CheckMalformed(t, Decode, ErrMalformed, webhooktest.ReadFixture(t, "malformed/"+name+".json"))
		})
	}
	for _, body := range malformedBodies {
		t.Run(body, func(t *testing.T) { webhooktest.CheckMalformed(t, Decode, ErrMalformed, []byte(body)) })
	}
}

// TestDecodeLenient: bodies that are webhooks, however odd, decode.
func TestDecodeLenient(t *testing.T) {
	const ts = `,"timestamp":"2022-08-24T20:05:00.000Z"`
	cases := []struct {
		name     string
		body     string
		want     models.Event
		problems []string
	}{
		{
			name: "no payload",
			body: `{"event":"drive_file_added"` + ts + `}`,
			want: models.Event{Type: "drive_file_added"},
		},
		{
			name:     "no payload, no timestamp",
			body:     `{"event":"conference_locked"}`,
			want:     models.Event{Type: "conference_locked"},
			problems: []string{"timestamp is missing; the arrival time stands in"},
		},
		{
			name:     "timestamp null",
			body:     `{"event":"conference_start","payload":"{\"conference_id\":1}","timestamp":null}`,
			want:     models.Event{Type: "conference_start", MeetingID: "1", SessionID: "1", Session: &models.SessionChange{}},
			problems: []string{"timestamp is missing; the arrival time stands in"},
		},
		{
			name:     "timestamp an object",
			body:     `{"event":"conference_start","payload":"{\"conference_id\":1}","timestamp":{}}`,
			want:     models.Event{Type: "conference_start", MeetingID: "1", SessionID: "1", Session: &models.SessionChange{}},
			problems: []string{"timestamp: expected a string, got an object; the arrival time stands in"},
		},
		{
			name: "empty payload object",
			body: `{"event":"conference_start","payload":"{}"` + ts + `}`,
			want: models.Event{Type: "conference_start"}, problems: []string{"conference_id is missing"},
		},
		{
			name: "payload with surrounding space",
			body: `{"event":"conference_start","payload":" {\"conference_id\":7} \n"` + ts + `}`,
			want: withSession(models.Event{Type: "conference_start", MeetingID: "7", SessionID: "7"},
				models.SessionChange{Start: at(20, 5, 0)}),
		},
		{
			name: "type trimmed",
			body: `{"event":" conference_end\n","payload":"{\"conference_id\":7}"` + ts + `}`,
			want: withSession(models.Event{Type: "conference_end", MeetingID: "7", SessionID: "7"},
				models.SessionChange{Ended: true, End: at(20, 5, 0)}),
		},
		{
			name: "extra envelope members ignored",
			body: `{"event":"conference_start","payload":"{\"conference_id\":7}","version":2` + ts + `}`,
			want: withSession(models.Event{Type: "conference_start", MeetingID: "7", SessionID: "7"},
				models.SessionChange{Start: at(20, 5, 0)}),
		},
		{
			name: "id as a string with spaces",
			body: `{"event":"start_recording","payload":"{\"conference_id\":\" 7 \"}"` + ts + `}`,
			want: withRecording(models.Event{Type: "start_recording", MeetingID: "7", SessionID: "7"},
				models.RecordingChange{Kind: models.RecordingMeeting, Key: "conference/7", Stage: models.StageStarted, At: at(20, 5, 0)}),
		},
		{
			name: "huge id kept exactly",
			body: `{"event":"start_streaming","payload":"{\"conference_id\":123456789012345678901234567890}"` + ts + `}`,
			want: withStream(models.Event{Type: "start_streaming", MeetingID: "123456789012345678901234567890", SessionID: "123456789012345678901234567890"},
				models.StreamChange{Kind: models.StreamLivestream, Key: "conference/123456789012345678901234567890", Stage: models.StageStarted, At: at(20, 5, 0)}),
		},
		{
			name: "id not a whole number kept as written",
			body: `{"event":"stop_broadcasting","payload":"{\"conference_id\":1.258835e6}"` + ts + `}`,
			want: withStream(models.Event{Type: "stop_broadcasting", MeetingID: "1.258835e6", SessionID: "1.258835e6"},
				models.StreamChange{Kind: models.StreamBroadcast, Key: "conference/1.258835e6", Stage: models.StageStopped, At: at(20, 5, 0)}),
			problems: []string{"conference_id: 1.258835e6 is not a whole number"},
		},
		{
			name:     "conference_id a boolean",
			body:     `{"event":"conference_end","payload":"{\"conference_id\":true}"` + ts + `}`,
			want:     models.Event{Type: "conference_end"},
			problems: []string{"conference_id: expected a string, got a boolean", "conference_id is missing"},
		},
		{
			name:     "enter_conference without participant_id",
			body:     `{"event":"enter_conference","payload":"{\"conference_id\":7,\"participant_role\":\"organizer\"}"` + ts + `}`,
			want:     models.Event{Type: "enter_conference", MeetingID: "7", SessionID: "7"},
			problems: []string{"participant_id is missing"},
		},
		{
			name:     "participant_role_changed without conference_id",
			body:     `{"event":"participant_role_changed","payload":"{\"participant_id\":9,\"participant_role\":\"moderator\"}"` + ts + `}`,
			want:     models.Event{Type: "participant_role_changed"},
			problems: []string{"conference_id is missing"},
		},
		{
			name:     "dialout without participant or phone",
			body:     `{"event":"dialout_status_change","payload":"{\"conference_id\":7,\"status\":\"new\"}"` + ts + `}`,
			want:     models.Event{Type: "dialout_status_change", MeetingID: "7", SessionID: "7"},
			problems: []string{"participant_id and phone_number are missing"},
		},
		{
			name: "dialout with an unparseable timestamp keeps its text",
			body: `{"event":"dialout_status_change","payload":"{\"conference_id\":7,\"participant_id\":9,\"status\":\"dialed\",\"phone_number\":\"+15550100\"}","timestamp":"yesterday"}`,
			want: func() models.Event {
				ev := models.Event{Type: "dialout_status_change", MeetingID: "7", SessionID: "7"}
				ev.Call = &models.CallChange{CallID: "dialout/7/9", RoomID: "7", Direction: "outbound", To: "+15550100",
					Step: "dialout_status_change", Status: "dialed", AtText: "yesterday"}
				return ev
			}(),
			problems: []string{`timestamp: unparseable time "yesterday"; the arrival time stands in`},
		},
		{
			name: "recording_ready without a link",
			body: `{"event":"recording_ready","payload":"{\"conference_id\":7,\"recording_id\":3}"` + ts + `}`,
			want: withRecording(models.Event{Type: "recording_ready", MeetingID: "7", SessionID: "7"},
				models.RecordingChange{Kind: models.RecordingMeeting, Key: "conference/7", ExternalID: "3", Stage: models.StageCompleted, At: at(20, 5, 0)}),
		},
		{
			name:     "stream preview without its URLs",
			body:     `{"event":"stream_preview_updated","payload":"{\"conference_id\":7}"` + ts + `}`,
			want:     models.Event{Type: "stream_preview_updated", MeetingID: "7", SessionID: "7"},
			problems: []string{"video_url and image_url are missing"},
		},
		{
			name: "unknown event with no conference",
			body: `{"event":"webinar_registered","payload":"{\"host_id\":61803}"` + ts + `}`,
			want: models.Event{Type: "webinar_registered"},
		},
		{
			name: "payload with a conference but host-only event",
			body: `{"event":"drive_file_added","payload":"{\"conference_id\":7,\"id\":1}"` + ts + `}`,
			want: models.Event{Type: "drive_file_added", MeetingID: "7", SessionID: "7"},
		},
		{
			name: "duplicate members: the last wins",
			body: `{"event":"conference_start","event":"conference_end","payload":"{\"conference_id\":1,\"conference_id\":2}"` + ts + `}`,
			want: withSession(models.Event{Type: "conference_end", MeetingID: "2", SessionID: "2"},
				models.SessionChange{Ended: true, End: at(20, 5, 0)}),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := Decode([]byte(tc.body))
			if err != nil {
				t.Fatalf("Decode(%s): %v", tc.body, err)
			}
			webhooktest.CheckProblems(t, ev.Problems, tc.problems)
			webhooktest.CheckClean(t, ev)
			ev.Problems = nil
			if d := webhooktest.EventDiff(ev, tc.want); d != "" {
				t.Errorf("mismatch:\n%s", d)
			}
		})
	}
}

// TestDecodeCleansText: invalid UTF-8 and NUL never reach the event, in
// the envelope or in the double-encoded payload.
func TestDecodeCleansText(t *testing.T) {
	body := "{\"event\":\"leave_conference\",\"payload\":" +
		`"{\"conference_id\":\"12\\u0000\\ud800\",\"participant_id\":\"p\\u0000\",` +
		`\"participant_role\":\"mod` + "\xff" + `\",\"reason_for_leaving\":\"user\\u0000_exit\"}"` +
		",\"timestamp\":\"2022-08-24T20:05:00Z\"}"
	ev, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	webhooktest.CheckClean(t, ev)
	if ev.Type != "leave_conference" || ev.MeetingID != "12\uFFFD" || ev.Participant == nil ||
		ev.Participant.ParticipantID != "p" || ev.Participant.Role != "mod\uFFFD" || ev.Participant.Reason != "user_exit" {
		t.Errorf("got %s", webhooktest.Dump(ev))
	}
	ev, err = Decode([]byte("{\"event\":\"conf\xff\\u0000x\"}"))
	if err != nil {
		t.Fatal(err)
	}
	webhooktest.CheckClean(t, ev)
	if ev.Type != "conf\uFFFDx" {
		t.Errorf("Type = %q, want %q", ev.Type, "conf\uFFFDx")
	}
}

// TestDecodeTimes: the envelope timestamp is RFC 3339, read into UTC;
// anything else is nil and noted.
func TestDecodeTimes(t *testing.T) {
	cases := []struct {
		value string // JSON text of "timestamp"
		want  *time.Time
	}{
		{`"2022-08-24T20:56:55.000Z"`, at(20, 56, 55)},
		{`"2022-08-24T20:56:55Z"`, at(20, 56, 55)},
		{`"2022-08-24T16:56:55.000-04:00"`, at(20, 56, 55)},
		{`"2022-08-24T20:56:55.123456789Z"`, func() *time.Time {
			t := time.Date(2022, time.August, 24, 20, 56, 55, 123456789, time.UTC)
			return &t
		}()},
		{`"9999-12-31T23:59:59Z"`, func() *time.Time {
			t := time.Date(9999, time.December, 31, 23, 59, 59, 0, time.UTC)
			return &t
		}()},
		{`"9999-12-31T23:00:00-05:00"`, nil}, // the year 10000 in UTC
		{`"1970-01-01T00:00:00Z"`, nil},
		{`"1969-12-31T23:59:59Z"`, nil},
		{`"0001-01-01T00:00:00Z"`, nil},
		{`"2022-08-24T24:00:00Z"`, nil},
		{`"2022-08-24 20:56:55"`, nil},
		{`"2022-08-24"`, nil},
		{`""`, nil},
		{`1661374615`, nil},
		{`true`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			body := `{"event":"conference_end","payload":"{\"conference_id\":1258835}","timestamp":` + tc.value + `}`
			ev, err := Decode([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Session == nil {
				t.Fatalf("no session change: %s", webhooktest.Dump(ev))
			}
			got := ev.Session.End
			switch {
			case tc.want == nil && got == nil:
				webhooktest.CheckProblems(t, ev.Problems, []string{"timestamp"})
			case tc.want == nil || got == nil || !got.Equal(*tc.want):
				t.Errorf("timestamp %s = %s, want %s", tc.value, webhooktest.FmtTime(got), webhooktest.FmtTime(tc.want))
			case got.Location() != time.UTC:
				t.Errorf("timestamp %s = %s, not in UTC", tc.value, webhooktest.FmtTime(got))
			case len(ev.Problems) != 0:
				t.Errorf("Problems = %q, want none", ev.Problems)
			}
		})
	}
}

// TestDocEventsUseTheirTimestamp: every documented event that changes the
// models is placed at its envelope timestamp, not at its arrival.
func TestDocEventsUseTheirTimestamp(t *testing.T) {
	for name := range docCases {
		ev, err := Decode(webhooktest.ReadFixture(t, name+".json"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if src := ev.TimeSource(); ev.HasChange() && src != models.TimeFromPayload {
			t.Errorf("%s is placed at the %s time, want the payload's", name, src)
		}
	}
}
