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

// decodeChange fills in the change the event type describes. Types are
// matched by family prefix, then by their last word, the stage.
func decodeChange(ev *models.Event, d payload.Fields) {
	t := ev.Type
	switch {
	case t == "participant-joined" || t == "participant-left":
		ev.Participant = &models.ParticipantChange{
			ParticipantID: d.Str("participantId"),
			Name:          d.Str("participantName"),
			Left:          t == "participant-left",
			Reason:        d.Str("reason"),
		}
	case t == "session-started" || t == "session-ended":
		ev.Session = &models.SessionChange{
			Ended:  t == "session-ended",
			Start:  d.Time("start"),
			End:    d.Time("end"),
			Reason: d.Str("reason"),
			Error:  jsonText(d, "error"),
		}
	case strings.HasPrefix(t, "participant-track-recording-"):
		ev.Recording = recording(ev, d, models.RecordingParticipantTrack, stageOf(t))
	case strings.HasPrefix(t, "participant-recording-"):
		ev.Recording = recording(ev, d, models.RecordingParticipant, stageOf(t))
	case strings.HasPrefix(t, "composite-recording-"):
		ev.Recording = recording(ev, d, models.RecordingComposite, stageOf(t))
	case strings.HasPrefix(t, "composite-merge-"):
		ev.Recording = recording(ev, d, models.RecordingCompositeMerge, stageOf(t))
	case strings.HasPrefix(t, "merge-recording-"):
		ev.Recording = recording(ev, d, models.RecordingMerge, stageOf(t))
	case strings.HasPrefix(t, "recording-"):
		ev.Recording = recording(ev, d, models.RecordingMeeting, stageOf(t))
	case strings.HasPrefix(t, "hls-"):
		ev.Stream = stream(ev, d, models.StreamHLS, stageOf(t))
	case strings.HasPrefix(t, "livestream-"):
		ev.Stream = stream(ev, d, models.StreamLivestream, stageOf(t))
	case strings.HasPrefix(t, "transcription-"):
		ev.Transcription = transcription(ev, d, models.KindTranscription, stageOf(t))
	case strings.HasPrefix(t, "translation-"):
		ev.Transcription = transcription(ev, d, models.KindTranslation, stageOf(t))
	case strings.HasPrefix(t, "knowledgebase-"):
		ev.KnowledgeBase = &models.KnowledgeBaseChange{
			KnowledgeBaseID: d.Str("id"),
			RecordID:        d.Str("recordId"),
			MetaData:        jsonText(d, "metaData"),
			Stage:           stageOf(t),
			Message:         d.Str("message"),
		}
	case strings.HasPrefix(t, "resource-"):
		ev.Resource = &models.ResourceChange{
			ResourceID:   d.Str("id"),
			ComposerType: d.First("composerType", "type"),
			Stage:        stageOf(t),
		}
	case strings.HasPrefix(t, "agent-session-"):
		ev.Agent = agent(ev, d, models.AgentSessionKind, stageOf(t))
	case strings.HasPrefix(t, "ai-deployment-session-"):
		ev.Agent = agent(ev, d, models.AIDeploymentKind, stageOf(t))
	case strings.HasPrefix(t, "batchcall-"):
		ev.BatchCall = &models.BatchCallChange{BatchID: d.Str("batchId"), Name: d.Str("batchName"), Stage: stageOf(t)}
	case strings.HasPrefix(t, "call-") || strings.HasPrefix(t, "switch-room-"):
		ev.Call = call(ev, d)
	}
	if ev.Recording != nil && ev.Recording.Stage == "" || ev.Stream != nil && ev.Stream.Stage == "" ||
		ev.Transcription != nil && ev.Transcription.Stage == "" || ev.Agent != nil && ev.Agent.Stage == "" ||
		ev.BatchCall != nil && ev.BatchCall.Stage == "" || ev.Resource != nil && ev.Resource.Stage == "" ||
		ev.KnowledgeBase != nil && ev.KnowledgeBase.Stage == "" {
		// A family we know with a stage we do not: keep it in the log only.
		*ev = models.Event{Type: ev.Type, MeetingID: ev.MeetingID, SessionID: ev.SessionID, Problems: ev.Problems}
	}
}

// stageOf reads the stage from the last word of an event type; "" when it
// is not a known stage.
func stageOf(t string) models.Stage {
	word := t[strings.LastIndexByte(t, '-')+1:]
	s := models.Stage(word)
	if s.Rank() == 0 {
		return ""
	}
	return s
}

func recording(ev *models.Event, d payload.Fields, kind models.RecordingKind, stage models.Stage) *models.RecordingChange {
	r := &models.RecordingChange{
		Kind:          kind,
		ExternalID:    d.First("recordingId", "id"),
		ParticipantID: d.Str("participantId"),
		TrackKind:     d.Str("kind"),
		FileFormat:    d.Str("fileFormat"),
		Stage:         stage,
		Message:       d.Str("message"),
		Participants:  jsonText(d, "participants"),
	}
	if top := (models.File{Path: d.Str("filePath"), URL: d.Str("fileUrl")}); top != (models.File{}) {
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
		Message:       d.Str("message"),
	}
	s.Key = s.ExternalID
	if s.Key == "" {
		s.Key = "session/" + ev.SessionID
	}
	return s
}

func transcription(ev *models.Event, d payload.Fields, kind models.TranscriptionKind, stage models.Stage) *models.TranscriptionChange {
	t := &models.TranscriptionChange{Kind: kind, Key: d.Str("id"), Mode: d.Str("type"), Stage: stage, Message: d.Str("message")}
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
		Message:      d.Str("message"),
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
		At:                d.TimeText("timestamp", at),
		AtText:            at,
		MetaData:          jsonText(d, "metaData"),
		AdditionalDetails: jsonText(d, "additionalDetails"),
	}
}
