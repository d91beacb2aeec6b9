// Package videosdk decodes and verifies VideoSDK webhooks. It is pure: raw
// bytes in, normalized events out, with no I/O.
package videosdk

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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
	if typ = strings.TrimSpace(clean(typ)); typ == "" {
		return models.Event{}, fmt.Errorf("%w: webhookType is missing or not a string", ErrMalformed)
	}
	ev := models.Event{Type: typ}
	d := newFields(env.Data, &ev.Problems)
	ev.MeetingID = d.first("meetingId", "roomId")
	ev.SessionID = d.str("sessionId")
	decodeChange(&ev, d)
	return ev, nil
}

// decodeChange fills in the change the event type describes. Types are
// matched by family prefix, then by their last word, the stage.
func decodeChange(ev *models.Event, d fields) {
	t := ev.Type
	switch {
	case t == "participant-joined" || t == "participant-left":
		ev.Participant = &models.ParticipantChange{
			ParticipantID: d.str("participantId"),
			Name:          d.str("participantName"),
			Left:          t == "participant-left",
			Reason:        d.str("reason"),
		}
	case t == "session-started" || t == "session-ended":
		ev.Session = &models.SessionChange{
			Ended:  t == "session-ended",
			Start:  d.time("start"),
			End:    d.time("end"),
			Reason: d.str("reason"),
			Error:  d.json("error"),
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
			KnowledgeBaseID: d.str("id"),
			RecordID:        d.str("recordId"),
			MetaData:        d.json("metaData"),
			Stage:           stageOf(t),
			Message:         d.str("message"),
		}
	case strings.HasPrefix(t, "resource-"):
		ev.Resource = &models.ResourceChange{
			ResourceID:   d.str("id"),
			ComposerType: d.first("composerType", "type"),
			Stage:        stageOf(t),
		}
	case strings.HasPrefix(t, "agent-session-"):
		ev.Agent = agent(ev, d, models.AgentSessionKind, stageOf(t))
	case strings.HasPrefix(t, "ai-deployment-session-"):
		ev.Agent = agent(ev, d, models.AIDeploymentKind, stageOf(t))
	case strings.HasPrefix(t, "batchcall-"):
		ev.BatchCall = &models.BatchCallChange{BatchID: d.str("batchId"), Name: d.str("batchName"), Stage: stageOf(t)}
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

func recording(ev *models.Event, d fields, kind models.RecordingKind, stage models.Stage) *models.RecordingChange {
	r := &models.RecordingChange{
		Kind:          kind,
		ExternalID:    d.first("recordingId", "id"),
		ParticipantID: d.str("participantId"),
		TrackKind:     d.str("kind"),
		FileFormat:    d.str("fileFormat"),
		Stage:         stage,
		Message:       d.str("message"),
		Participants:  d.json("participants"),
	}
	if top := (models.File{Path: d.str("filePath"), URL: d.str("fileUrl")}); top != (models.File{}) {
		r.Files = append(r.Files, top)
	}
	for _, f := range d.list("fileDetails") {
		r.Files = append(r.Files, models.File{Path: f.str("filePath"), URL: f.str("fileUrl")})
	}
	enc := d.obj("encryption")
	r.KeyURL, r.MetaURL = enc.str("keyUrl"), enc.str("metaUrl")
	r.Key = r.ExternalID
	if r.Key == "" {
		// Older accounts send no id: one recording of a kind per session,
		// participant and track.
		r.Key = strings.Join([]string{"session", ev.SessionID, r.ParticipantID, r.TrackKind}, "/")
	}
	return r
}

func stream(ev *models.Event, d fields, kind models.StreamKind, stage models.Stage) *models.StreamChange {
	s := &models.StreamChange{
		Kind:          kind,
		ExternalID:    d.str("id"),
		Stage:         stage,
		PlaybackURL:   d.str("playbackHlsUrl"),
		LivestreamURL: d.str("livestreamUrl"),
		DownstreamURL: d.str("downstreamUrl"),
		Message:       d.str("message"),
	}
	s.Key = s.ExternalID
	if s.Key == "" {
		s.Key = "session/" + ev.SessionID
	}
	return s
}

func transcription(ev *models.Event, d fields, kind models.TranscriptionKind, stage models.Stage) *models.TranscriptionChange {
	t := &models.TranscriptionChange{Kind: kind, Key: d.str("id"), Mode: d.str("type"), Stage: stage, Message: d.str("message")}
	if t.Key == "" {
		t.Key = "session/" + ev.SessionID
	}
	return t
}

// agent reads an agent event. Its sessionId is the agent's own session, not
// a meeting session, so it is moved off the event.
func agent(ev *models.Event, d fields, kind models.AgentKind, stage models.Stage) *models.AgentChange {
	a := &models.AgentChange{
		Kind:         kind,
		AgentSession: ev.SessionID,
		AgentID:      d.str("agentId"),
		DeploymentID: d.str("deploymentId"),
		VersionID:    d.str("versionId"),
		Stage:        stage,
		Message:      d.str("message"),
	}
	ev.SessionID = ""
	return a
}

// call reads a SIP call event. Its roomId is the meeting the call is
// bridged into; the event type is the step.
func call(ev *models.Event, d fields) *models.CallChange {
	at := d.str("timestamp")
	return &models.CallChange{
		CallID:            d.str("callId"),
		RoomID:            d.str("roomId"),
		Direction:         d.str("type"),
		From:              d.str("from"),
		To:                d.str("to"),
		GatewayID:         d.str("gatewayId"),
		RuleID:            d.str("ruleId"),
		Step:              ev.Type,
		Status:            d.str("status"),
		At:                d.timeText("timestamp", at),
		AtText:            at,
		MetaData:          d.json("metaData"),
		AdditionalDetails: d.json("additionalDetails"),
	}
}
