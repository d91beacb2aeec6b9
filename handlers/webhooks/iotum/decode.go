// Package iotum decodes and verifies iotum Callbridge webhooks. It is pure:
// raw bytes in, normalized events out, with no I/O.
//
// A delivery is {"event": "...", "payload": "...", "timestamp": "..."}
// where payload is a JSON object serialized into a string, so it is decoded
// twice. An iotum conference is one run of a room: its conference_id is both
// the meeting and the session id.
package iotum

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/payload"
	"github.com/meetboard/meetboard/models"
)

// Provider is the name iotum deliveries are stored under.
const Provider = "iotum"

// ErrMalformed is wrapped by Decode's errors for bodies that are not an
// iotum webhook at all: not a JSON object, no event name, or a payload that
// is not a JSON object serialized into a string.
var ErrMalformed = errors.New("malformed webhook")

// Decode turns a delivery body into a normalized event. Errors wrap
// ErrMalformed: the body is not a JSON object, "event" is missing or not a
// non-empty string, or "payload" is present but is not a string holding a
// JSON object (a double-encoded payload that is not valid JSON is malformed,
// which the intake answers with 400). A JSON null payload counts as absent.
//
// Anything else decodes: unknown events come back with no change to apply,
// and fields of the wrong type, an unparseable timestamp or a missing id are
// left empty and listed in the event's Problems. The envelope timestamp is
// the event time; payloads carry none of their own.
func Decode(body []byte) (models.Event, error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return models.Event{}, fmt.Errorf("%w: body is not a JSON object: %v", ErrMalformed, err)
	}
	if env == nil {
		return models.Event{}, fmt.Errorf("%w: body is not a JSON object", ErrMalformed)
	}
	var typ string
	if raw, ok := env["event"]; !ok || json.Unmarshal(raw, &typ) != nil {
		return models.Event{}, fmt.Errorf("%w: event is missing or not a string", ErrMalformed)
	}
	if typ = strings.TrimSpace(payload.Clean(typ)); typ == "" {
		return models.Event{}, fmt.Errorf("%w: event is blank", ErrMalformed)
	}
	ev := models.Event{Type: typ}
	m := map[string]json.RawMessage{}
	if raw, ok := env["payload"]; ok && string(bytes.TrimSpace(raw)) != "null" {
		var doc string
		if err := json.Unmarshal(raw, &doc); err != nil {
			return models.Event{}, fmt.Errorf("%w: payload is not a string (got %s)", ErrMalformed, payload.KindOf(bytes.TrimSpace(raw)))
		}
		inner := bytes.TrimSpace([]byte(doc))
		if len(inner) == 0 || inner[0] != '{' {
			return models.Event{}, fmt.Errorf("%w: payload does not hold a JSON object", ErrMalformed)
		}
		if err := json.Unmarshal(inner, &m); err != nil {
			return models.Event{}, fmt.Errorf("%w: payload does not hold a JSON object: %v", ErrMalformed, err)
		}
	}
	p := payload.New(m, &ev.Problems)
	at, atText := eventTime(&ev, env["timestamp"])
	conf := id(p, "conference_id")
	ev.MeetingID, ev.SessionID = conf, conf
	decodeChange(&ev, p, conf, at, atText)
	return ev, nil
}

// eventTime reads the envelope timestamp, the time of every change an
// event makes: the time it names (nil when missing or unparseable, which is
// noted, since the arrival time then stands in) and its raw text.
func eventTime(ev *models.Event, raw json.RawMessage) (*time.Time, string) {
	m := map[string]json.RawMessage{}
	if raw != nil {
		m["timestamp"] = raw
	}
	f := payload.New(m, &ev.Problems)
	before := len(ev.Problems)
	text := f.Str("timestamp")
	if text == "" {
		if len(ev.Problems) == before {
			f.Note("timestamp is missing; %s", payload.ArrivalStandsIn)
		} else {
			// The value was of the wrong kind, and noted so: say in the
			// same note what stands in.
			ev.Problems[len(ev.Problems)-1] += "; " + payload.ArrivalStandsIn
		}
		return nil, ""
	}
	t, ok := parseTime(text)
	if !ok {
		f.Note("timestamp: unparseable time %q; %s", text, payload.ArrivalStandsIn)
		return nil, text
	}
	return &t, text
}

// decodeChange fills in the change the event type describes. Events that
// belong to a conference but name none, and participant events that name
// no participant, are kept in the log only, with the gap noted.
func decodeChange(ev *models.Event, p payload.Fields, conf string, at *time.Time, atText string) {
	t := ev.Type
	key := "conference/" + conf
	switch t {
	case "conference_start", "conference_end", "enter_conference", "leave_conference",
		"participant_role_changed", "start_recording", "stop_recording", "recording_ready",
		"transcription_ready", "start_streaming", "stop_streaming", "start_broadcasting",
		"stop_broadcasting", "stream_preview_updated", "dialout_status_change":
		if conf == "" {
			p.Note("conference_id is missing")
			return
		}
	}
	switch t {
	case "conference_start":
		ev.Session = &models.SessionChange{Start: at}
	case "conference_end":
		ev.Session = &models.SessionChange{Ended: true, End: at}
	case "enter_conference", "leave_conference", "participant_role_changed":
		pc := &models.ParticipantChange{ParticipantID: id(p, "participant_id"), Role: p.Str("participant_role")}
		if pc.ParticipantID == "" {
			p.Note("participant_id is missing")
			return
		}
		pc.At = at
		switch t {
		case "participant_role_changed":
			pc.Update = true
		case "leave_conference":
			pc.Left, pc.Reason = true, p.Str("reason_for_leaving")
		default:
			ev.MeetingURL = strings.TrimSpace(p.Str("meeting_url"))
		}
		ev.Participant = pc
	case "start_recording":
		ev.Recording = &models.RecordingChange{Kind: models.RecordingMeeting, Key: key, Stage: models.StageStarted, At: at}
	case "stop_recording":
		ev.Recording = &models.RecordingChange{Kind: models.RecordingMeeting, Key: key, Stage: models.StageStopped, At: at}
	case "recording_ready":
		r := &models.RecordingChange{Kind: models.RecordingMeeting, Key: key, ExternalID: id(p, "recording_id"), Stage: models.StageCompleted, At: at}
		if link := strings.TrimSpace(p.Str("download_link")); link != "" {
			r.Files = []models.File{{URL: link}}
		}
		ev.Recording = r
	case "transcription_ready":
		ev.Transcription = &models.TranscriptionChange{Kind: models.KindTranscription, Key: key, Stage: models.StageCompleted, At: at}
	case "start_streaming":
		ev.Stream = &models.StreamChange{Kind: models.StreamLivestream, Key: key, Stage: models.StageStarted, At: at}
	case "stop_streaming":
		ev.Stream = &models.StreamChange{Kind: models.StreamLivestream, Key: key, Stage: models.StageStopped, At: at}
	case "start_broadcasting":
		ev.Stream = &models.StreamChange{Kind: models.StreamBroadcast, Key: key, Stage: models.StageStarted, At: at}
	case "stop_broadcasting":
		ev.Stream = &models.StreamChange{Kind: models.StreamBroadcast, Key: key, Stage: models.StageStopped, At: at}
	case "stream_preview_updated":
		// A preview of the conference's livestream; no stage.
		s := &models.StreamChange{Kind: models.StreamLivestream, Key: key, At: at,
			PreviewURL: strings.TrimSpace(p.Str("video_url")), PreviewImageURL: strings.TrimSpace(p.Str("image_url"))}
		if s.PreviewURL == "" && s.PreviewImageURL == "" {
			p.Note("video_url and image_url are missing")
			return
		}
		ev.Stream = s
	case "dialout_status_change":
		ev.Call = dialout(ev, p, conf, at, atText)
	}
	// Everything else (enter_livestream and leave_livestream, whose viewers
	// are not in the room, drive files, profile pictures,
	// one_time_access_code_reused, unknown events) is kept in the log only,
	// under its conference when it names one. host_id and company_id, which
	// every event carries, have no model: they stay in the logged body.
}

// dialout reads a dial-out status. Each dialed participant is one call; a
// status without a participant_id falls back to the phone number.
func dialout(ev *models.Event, p payload.Fields, conf string, at *time.Time, atText string) *models.CallChange {
	participant, phone := id(p, "participant_id"), strings.TrimSpace(p.Str("phone_number"))
	leg := participant
	if leg == "" {
		leg = phone
	}
	if leg == "" {
		p.Note("participant_id and phone_number are missing")
		return nil
	}
	return &models.CallChange{
		CallID:    "dialout/" + conf + "/" + leg,
		RoomID:    conf,
		Direction: "outbound",
		To:        phone,
		Step:      ev.Type,
		Status:    p.Str("status"),
		At:        at,
		AtText:    atText,
	}
}
