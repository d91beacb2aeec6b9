// Package daily decodes and verifies Daily (daily.co) webhooks. It is pure:
// raw bytes in, normalized events out, with no I/O.
//
// A delivery is {"version", "type", "id", "payload", "event_ts"}. Times in
// payloads are Unix seconds, as numbers (often with a fraction) or numeric
// strings; event_ts is when the webhook was sent, not when the event
// happened, so it is only checked, never used. Some events name no room
// (recording.started, streaming.*, batch-processor.*): they carry the ids
// (recording_id, instance_id) that tie them to the events that do.
package daily

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

// Provider is the name Daily deliveries are stored under.
const Provider = "daily"

// ErrMalformed is wrapped by Decode's errors for bodies that are not a Daily
// webhook at all: not a JSON object, or no string "type".
var ErrMalformed = errors.New("malformed webhook")

// IsTest reports whether body is Daily's test request sent when a webhook
// is created or re-activated ({"test":"test"}, or any JSON object with a
// "test" key and no "type", or a null one); it is answered 200 and not
// stored. Daily fails the webhook's creation unless it gets a 200 quickly.
func IsTest(body []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || m == nil {
		return false
	}
	if _, ok := m["test"]; !ok {
		return false
	}
	typ, ok := m["type"]
	return !ok || string(bytes.TrimSpace(typ)) == "null"
}

// Decode turns a delivery into a normalized event. Errors wrap ErrMalformed:
// not a JSON object, or no string "type" (blank once cleaned counts as
// none). Any JSON object with a type decodes: unknown types come back with
// no change to apply, and fields of the wrong type or unreadable times are
// left empty and listed in the event's Problems.
func Decode(body []byte) (models.Event, error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return models.Event{}, fmt.Errorf("%w: body is not a JSON object: %v", ErrMalformed, err)
	}
	var typ string
	if raw := bytes.TrimSpace(env["type"]); len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &typ) != nil {
		return models.Event{}, fmt.Errorf("%w: type is missing or not a string", ErrMalformed)
	}
	if typ = strings.TrimSpace(payload.Clean(typ)); typ == "" {
		return models.Event{}, fmt.Errorf("%w: type is blank", ErrMalformed)
	}
	ev := models.Event{Type: typ}
	e := payload.New(env, &ev.Problems)
	ev.ProviderEventID = e.Str("id")
	// event_ts is when the webhook was sent; it is read only so that an
	// unreadable one is noted.
	unixTime(e, "event_ts")
	p := e.Obj("payload")
	ev.MeetingID = p.First("room", "room_name", "room_id")
	if strings.HasPrefix(typ, "meeting.") {
		ev.SessionID = p.First("meeting_id", "mtg_session_id")
	} else {
		ev.SessionID = p.Str("mtg_session_id")
	}
	decodeChange(&ev, p)
	return ev, nil
}

// decodeChange fills in the change the event type describes. Types are
// matched whole: an unknown type, even in a known family, is kept in the
// log only.
func decodeChange(ev *models.Event, p payload.Fields) {
	switch t := ev.Type; t {
	case "meeting.started", "meeting.ended":
		s := &models.SessionChange{
			Ended: t == "meeting.ended",
			Start: eventTime(p, "start_ts"),
			End:   eventTime(p, "end_ts"),
		}
		// An end given but unreadable ends the session at the arrival, as
		// VideoSDK's does.
		s.EndAtArrival = s.Ended && s.End == nil && p.Raw("end_ts") != nil
		ev.Session = s
	case "participant.joined", "participant.left":
		ev.Participant = participant(p, t == "participant.left")
	case "recording.started":
		r := recording(p, models.StageStarted)
		if r != nil {
			r.At = eventTime(p, "start_ts")
		}
		ev.Recording = r
	case "recording.ready-to-download":
		r := recording(p, models.StageStopped)
		if r != nil {
			r.FileFormat = p.Str("type")
			r.Files = recordingFiles(p)
			r.StartedAt = eventTime(p, "start_ts")
			r.At = endTime(p, r.StartedAt, "duration")
		}
		ev.Recording = r
	case "recording.error":
		r := recording(p, models.StageFailed)
		if r != nil {
			r.Message = message(p, "error_msg")
			r.At = eventTime(p, "timestamp")
		}
		ev.Recording = r
	case "transcript.started":
		ev.Transcription = transcription(p, models.StageStarted, "")
	case "transcript.ready-to-download":
		ev.Transcription = transcription(p, models.StageCompleted, "")
	case "transcript.error":
		tr := transcription(p, models.StageFailed, message(p, "error"))
		if tr != nil {
			// info holds the job's times, camelCase.
			info := p.Obj("info")
			tr.StartedAt = eventTime(info, "startTs")
			tr.At = eventTime(info, "endTs")
		}
		ev.Transcription = tr
	case "streaming.started", "streaming.ended", "streaming.error":
		stage, msg := models.StageStarted, ""
		switch t {
		case "streaming.ended":
			stage = models.StageStopped
		case "streaming.error":
			stage, msg = models.StageFailed, message(p, "error_message")
		}
		s := stream(p, stage, msg)
		if s != nil {
			s.At = eventTime(p, "timestamp")
		}
		ev.Stream = s
	case "streaming.updated":
		// An update's time is not when the stream started: the arrival
		// stands in, as for any start the payload does not give.
		ev.Stream = stream(p, models.StageStarted, "")
	case "dialout.connected", "dialout.answered", "dialout.stopped", "dialout.warning", "dialout.error",
		"dialin.connected", "dialin.stopped", "dialin.warning", "dialin.error",
		"calltransfer.triggered", "calltransfer.initiated", "calltransfer.answered", "calltransfer.completed":
		ev.Call = call(ev, p)
	}
	// waiting-participant.*, batch-processor.*, dialin.ready and unknown
	// types belong in the log only.
}

// participant reads participant.joined/left. The payload names no meeting
// session: the store puts the participant in the room's current one.
// user_id is the app's stable id for a person (Daily defaults it to the
// session_id); session_id changes on every join.
func participant(p payload.Fields, left bool) *models.ParticipantChange {
	pc := &models.ParticipantChange{
		ParticipantID: p.First("user_id", "session_id"),
		Name:          p.Str("user_name"),
		Left:          left,
	}
	if boolean(p, "owner") {
		pc.Role = "owner"
	}
	joined := eventTime(p, "joined_at")
	if !left {
		pc.At = joined
		return pc
	}
	// A leave is at joined_at + duration; without both, the arrival time
	// stands in. joined_at also gives a leave whose join was lost its join
	// time.
	pc.JoinedAt = joined
	pc.At = endTime(p, joined, "duration")
	return pc
}

// endTime is start plus the duration in member key: the time something
// that began at start ended. It is nil when start is nil or the duration is
// absent or unreadable (noted), so that the arrival time stands in.
func endTime(p payload.Fields, start *time.Time, key string) *time.Time {
	d, ok := duration(p, key)
	if start == nil || !ok {
		return nil
	}
	at := start.Add(d)
	if at.UTC().Year() > 9999 {
		p.Note("%s: start + duration is past the year 9999; %s", p.Path(key), payload.ArrivalStandsIn)
		return nil
	}
	return &at
}

// recording reads the ids every recording event shares. Daily's recording
// events are cloud recordings of the meeting. recording_id is missing from
// recording.error and instance_id from recording.ready-to-download; the
// store folds events sharing either into one recording. With neither, the
// event cannot be tied to a recording and is kept in the log only.
func recording(p payload.Fields, stage models.Stage) *models.RecordingChange {
	id := p.Str("recording_id")
	r := &models.RecordingChange{
		Kind:       models.RecordingMeeting,
		Key:        id,
		ExternalID: id,
		InstanceID: p.Str("instance_id"),
		Stage:      stage,
	}
	if r.Key == "" && r.InstanceID == "" {
		p.Note("%s: no recording_id or instance_id to name the recording by", p.Name())
		return nil
	}
	return r
}

// recordingFiles lists s3_key, then each raw track's s3Key with its type
// (audio or video) and size. Daily sends no URLs: links come from its REST
// API.
func recordingFiles(p payload.Fields) []models.File {
	var files []models.File
	if k := p.Str("s3_key"); k != "" {
		files = append(files, models.File{Path: k})
	}
	for _, tr := range p.List("tracks") {
		if k := tr.Str("s3Key"); k != "" {
			files = append(files, models.File{Path: k, Kind: tr.Str("type"), Size: size(tr, "size")})
		}
	}
	return files
}

// transcription reads transcript.*: the payload id is the transcript's id,
// and out_params.s3 where it is written.
func transcription(p payload.Fields, stage models.Stage, message string) *models.TranscriptionChange {
	id := p.Str("id")
	if id == "" {
		p.Note("%s: no id to name the transcript by", p.Name())
		return nil
	}
	tr := &models.TranscriptionChange{Kind: models.KindTranscription, Key: id, Stage: stage, Message: message}
	s3 := p.Obj("out_params").Obj("s3")
	if f := (models.File{Path: s3.Str("key"), Bucket: s3.Str("bucket")}); f.Path != "" {
		tr.Files = []models.File{f}
	}
	return tr
}

// stream reads streaming.*, Daily's RTMP livestreams, named by instance_id.
func stream(p payload.Fields, stage models.Stage, message string) *models.StreamChange {
	id := p.Str("instance_id")
	if id == "" {
		p.Note("%s: no instance_id to name the stream by", p.Name())
		return nil
	}
	return &models.StreamChange{Kind: models.StreamLivestream, Key: id, ExternalID: id, Stage: stage, Message: message}
}

// callDetails is what a call step says beyond the call's fields.
type callDetails struct {
	DisplayName string `json:"display_name,omitempty"`
	CallerID    string `json:"caller_id,omitempty"`
	// UserID is the app's id for a dial-out (startDialOut's userId).
	UserID string `json:"user_id,omitempty"`
}

// call reads dialout.*, dialin.* and calltransfer.*. The call is the SIP
// participant's session_id; the step is the event type and the status its
// last word ("transfer-" and the word for call transfers, which keep the
// call of the participant being transferred).
func call(ev *models.Event, p payload.Fields) *models.CallChange {
	family, word, _ := strings.Cut(ev.Type, ".")
	c := &models.CallChange{
		CallID: p.Str("session_id"),
		RoomID: ev.MeetingID,
		Step:   ev.Type,
		Status: word,
	}
	c.AtText = numText(p, "timestamp")
	c.At = eventTimeText(p, "timestamp", c.AtText)
	var notes []string
	if m := message(p, "error_msg"); m != "" {
		notes = append(notes, m)
	}
	switch family {
	case "dialout":
		c.Direction, c.From, c.To = "outbound", p.Str("origin"), p.Str("destination")
	case "dialin":
		c.Direction, c.From = "inbound", p.Str("sip_from")
	case "calltransfer":
		c.Status = "transfer-" + word
		c.From, c.To = p.Str("from_endpoint"), p.Str("to_endpoint")
		if boolean(p, "is_sip_refer") {
			notes = append(notes, "SIP REFER")
		}
		for _, k := range []struct{ key, label string }{
			{"complete_status", "complete status"},
			{"refer_sip_response_code", "REFER response"},
			{"notify_sip_response_code", "NOTIFY response"},
		} {
			if v := p.Str(k.key); v != "" {
				notes = append(notes, k.label+": "+v)
			}
		}
	}
	c.Detail = strings.Join(notes, "; ")
	c.MetaData = p.JSON("sip_headers")
	if d := (callDetails{DisplayName: p.Str("display_name"), CallerID: p.Str("caller_id"), UserID: p.Str("user_id")}); d != (callDetails{}) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if enc.Encode(d) == nil {
			c.AdditionalDetails = strings.TrimSuffix(buf.String(), "\n")
		}
	}
	if c.CallID == "" {
		p.Note("%s: no session_id to name the call by", p.Name())
		return nil
	}
	return c
}
