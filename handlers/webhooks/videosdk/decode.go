// Package videosdk decodes and verifies VideoSDK webhooks. It is pure: raw
// bytes in, normalized events out, with no I/O.
package videosdk

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/meetboard/meetboard/handlers/webhooks/payload"
	"github.com/meetboard/meetboard/models"
)

// Provider is the name VideoSDK deliveries are stored under.
const Provider = "videosdk"

// ErrMalformed is wrapped by Decode's errors for bodies that are not a
// VideoSDK webhook at all: not JSON, or no webhookType.
var ErrMalformed = errors.New("malformed webhook")

type envelope struct {
	WebhookType json.RawMessage `json:"webhookType"`
	Data        json.RawMessage `json:"data"`
}

// Decode turns a delivery body into a normalized event. Any JSON object with
// a string webhookType decodes: unknown types come back with no change to
// apply, and fields of the wrong type or unparseable times are left empty
// and listed in the event's Problems.
func Decode(body []byte) (models.Event, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return models.Event{}, fmt.Errorf("%w: body is not a JSON object: %v", ErrMalformed, err)
	}
	var typ string
	if err := json.Unmarshal(env.WebhookType, &typ); err != nil {
		return models.Event{}, fmt.Errorf("%w: webhookType is missing or not a string", ErrMalformed)
	}
	if typ = strings.TrimSpace(payload.Clean(typ)); typ == "" {
		return models.Event{}, fmt.Errorf("%w: webhookType is missing or not a string", ErrMalformed)
	}
	ev := models.Event{Type: typ}
	d := data(env.Data, &ev.Problems)
	ev.MeetingID = d.First("meetingId", "roomId")
	ev.SessionID = d.Str("sessionId")
	decodeChange(&ev, d)
	return ev, nil
}

// decodeChange fills in the change the event type describes, looked up by
// its whole name in decoders; a type not listed is kept in the log only.
func decodeChange(ev *models.Event, d payload.Fields) {
	if dec, ok := decoders[ev.Type]; ok {
		dec(ev, d)
	}
}

// sessionChange reads a session's start or end. An end that is given but
// cannot be read (VideoSDK's own example has 15:60) ends the session at the
// delivery's arrival, and the event log says so (payload.ArrivalStandsIn).
func sessionChange(d payload.Fields, ended bool) *models.SessionChange {
	s := &models.SessionChange{
		Ended:  ended,
		Start:  d.EventTime("start"),
		End:    d.EventTime("end"),
		Reason: d.Str("reason"),
		Error:  jsonText(d, "error"),
	}
	if ended && s.End == nil && d.Raw("end") != nil {
		s.EndAtArrival = true
	}
	return s
}

// NoReason is the problem noted on a failure that comes with no reason, so
// the event log tells a reason the provider did not give from one that was
// lost.
const NoReason = "message: absent, the provider gave no reason for the failure"

// reason reads a job's reason or failure message: "message", as documented,
// else a "reason" key. A failure without one is noted as NoReason.
func reason(d payload.Fields, stage models.Stage) string {
	m := d.First("message", "reason")
	if m == "" && stage == models.StageFailed {
		d.Note("%s", NoReason)
	}
	return m
}

func recording(ev *models.Event, d payload.Fields, kind models.RecordingKind, stage models.Stage) *models.RecordingChange {
	r := &models.RecordingChange{
		Kind:          kind,
		ExternalID:    d.First("recordingId", "id"),
		ParticipantID: d.Str("participantId"),
		TrackKind:     d.Str("kind"),
		FileFormat:    d.Str("fileFormat"),
		Stage:         stage,
		Message:       reason(d, stage),
		Participants:  jsonText(d, "participants"),
	}
	// Older recording-stopped deliveries name the file by id too (fileId).
	if top := (models.File{ID: d.Str("fileId"), Path: d.Str("filePath"), URL: d.Str("fileUrl")}); top != (models.File{}) {
		r.Files = append(r.Files, top)
	}
	for _, f := range list(d, "fileDetails") {
		r.Files = append(r.Files, models.File{Path: f.Str("filePath"), URL: f.Str("fileUrl")})
	}
	enc := obj(d, "encryption")
	r.KeyURL, r.MetaURL = enc.Str("keyUrl"), enc.Str("metaUrl")
	r.Key = r.ExternalID
	if r.Key == "" {
		// Older accounts send no id: one recording of a kind per session,
		// participant and track.
		r.Key = strings.Join([]string{"session", ev.SessionID, r.ParticipantID, r.TrackKind}, "/")
	}
	return r
}

func stream(ev *models.Event, d payload.Fields, kind models.StreamKind, stage models.Stage) *models.StreamChange {
	s := &models.StreamChange{
		Kind:          kind,
		ExternalID:    d.Str("id"),
		Stage:         stage,
		PlaybackURL:   d.Str("playbackHlsUrl"),
		LivestreamURL: d.Str("livestreamUrl"),
		DownstreamURL: d.Str("downstreamUrl"),
		Message:       reason(d, stage),
	}
	s.Key = s.ExternalID
	if s.Key == "" {
		s.Key = "session/" + ev.SessionID
	}
	return s
}

func transcription(ev *models.Event, d payload.Fields, kind models.TranscriptionKind, stage models.Stage) *models.TranscriptionChange {
	t := &models.TranscriptionChange{Kind: kind, Key: d.Str("id"), Mode: d.Str("type"), Stage: stage, Message: reason(d, stage)}
	if t.Key == "" {
		t.Key = "session/" + ev.SessionID
	}
	return t
}

// agent reads an agent event. Its sessionId is the agent's own session, not
// a meeting session, so it is moved off the event.
func agent(ev *models.Event, d payload.Fields, kind models.AgentKind, stage models.Stage) *models.AgentChange {
	a := &models.AgentChange{
		Kind:         kind,
		AgentSession: ev.SessionID,
		AgentID:      d.Str("agentId"),
		DeploymentID: d.Str("deploymentId"),
		VersionID:    d.Str("versionId"),
		Stage:        stage,
		Message:      reason(d, stage),
	}
	ev.SessionID = ""
	return a
}

// call reads a SIP call event. Its roomId is the meeting the call is
// bridged into; the event type is the step.
func call(ev *models.Event, d payload.Fields) *models.CallChange {
	at := d.Str("timestamp")
	return &models.CallChange{
		CallID:            d.Str("callId"),
		RoomID:            d.Str("roomId"),
		Direction:         d.Str("type"),
		From:              d.Str("from"),
		To:                d.Str("to"),
		GatewayID:         d.Str("gatewayId"),
		RuleID:            d.Str("ruleId"),
		Step:              ev.Type,
		Status:            d.Str("status"),
		At:                d.EventTimeText("timestamp", at),
		AtText:            at,
		MetaData:          jsonText(d, "metaData"),
		AdditionalDetails: jsonText(d, "additionalDetails"),
	}
}
