package videosdk

import (
	"github.com/meetboard/meetboard/handlers/webhooks/payload"
	"github.com/meetboard/meetboard/models"
)

// decoder fills in the change one event type describes, from its data.
type decoder func(ev *models.Event, d payload.Fields)

// decoders maps every webhookType VideoSDK documents, whole, to its
// decoder, so a type is found by searching for its name. A type not listed,
// even one in a known family, is kept in the log only.
var decoders = map[string]decoder{
	// Meetings and participants.
	"session-started":    decSession(false),
	"session-ended":      decSession(true),
	"participant-joined": decParticipant(false),
	"participant-left":   decParticipant(true),

	// Cloud recordings of the meeting.
	"recording-starting": decRecording(models.RecordingMeeting, models.StageStarting),
	"recording-started":  decRecording(models.RecordingMeeting, models.StageStarted),
	"recording-stopping": decRecording(models.RecordingMeeting, models.StageStopping),
	"recording-stopped":  decRecording(models.RecordingMeeting, models.StageStopped),
	"recording-failed":   decRecording(models.RecordingMeeting, models.StageFailed),

	// Composite recordings (named by roomId).
	"composite-recording-starting": decRecording(models.RecordingComposite, models.StageStarting),
	"composite-recording-started":  decRecording(models.RecordingComposite, models.StageStarted),
	"composite-recording-stopping": decRecording(models.RecordingComposite, models.StageStopping),
	"composite-recording-stopped":  decRecording(models.RecordingComposite, models.StageStopped),
	"composite-recording-failed":   decRecording(models.RecordingComposite, models.StageFailed),

	// Participant recordings.
	"participant-recording-starting": decRecording(models.RecordingParticipant, models.StageStarting),
	"participant-recording-started":  decRecording(models.RecordingParticipant, models.StageStarted),
	"participant-recording-stopping": decRecording(models.RecordingParticipant, models.StageStopping),
	"participant-recording-stopped":  decRecording(models.RecordingParticipant, models.StageStopped),
	"participant-recording-failed":   decRecording(models.RecordingParticipant, models.StageFailed),

	// Participant track recordings.
	"participant-track-recording-starting": decRecording(models.RecordingParticipantTrack, models.StageStarting),
	"participant-track-recording-started":  decRecording(models.RecordingParticipantTrack, models.StageStarted),
	"participant-track-recording-stopping": decRecording(models.RecordingParticipantTrack, models.StageStopping),
	"participant-track-recording-stopped":  decRecording(models.RecordingParticipantTrack, models.StageStopped),
	"participant-track-recording-failed":   decRecording(models.RecordingParticipantTrack, models.StageFailed),

	// Merges of recordings.
	"merge-recording-completed": decRecording(models.RecordingMerge, models.StageCompleted),
	"merge-recording-failed":    decRecording(models.RecordingMerge, models.StageFailed),
	"composite-merge-started":   decRecording(models.RecordingCompositeMerge, models.StageStarted),
	"composite-merge-completed": decRecording(models.RecordingCompositeMerge, models.StageCompleted),
	"composite-merge-cancelled": decRecording(models.RecordingCompositeMerge, models.StageCancelled),
	"composite-merge-failed":    decRecording(models.RecordingCompositeMerge, models.StageFailed),

	// HLS streams and RTMP livestreams.
	"hls-starting":        decStream(models.StreamHLS, models.StageStarting),
	"hls-started":         decStream(models.StreamHLS, models.StageStarted),
	"hls-playable":        decStream(models.StreamHLS, models.StagePlayable),
	"hls-stopping":        decStream(models.StreamHLS, models.StageStopping),
	"hls-stopped":         decStream(models.StreamHLS, models.StageStopped),
	"hls-failed":          decStream(models.StreamHLS, models.StageFailed),
	"livestream-starting": decStream(models.StreamLivestream, models.StageStarting),
	"livestream-started":  decStream(models.StreamLivestream, models.StageStarted),
	"livestream-stopping": decStream(models.StreamLivestream, models.StageStopping),
	"livestream-stopped":  decStream(models.StreamLivestream, models.StageStopped),
	"livestream-failed":   decStream(models.StreamLivestream, models.StageFailed),

	// Transcriptions and translations.
	"transcription-started": decTranscription(models.KindTranscription, models.StageStarted),
	"transcription-stopped": decTranscription(models.KindTranscription, models.StageStopped),
	"transcription-failed":  decTranscription(models.KindTranscription, models.StageFailed),
	"translation-started":   decTranscription(models.KindTranslation, models.StageStarted),
	"translation-stopped":   decTranscription(models.KindTranslation, models.StageStopped),
	"translation-failed":    decTranscription(models.KindTranslation, models.StageFailed),

	// Knowledge bases and media composer resources.
	"knowledgebase-processing": decKnowledgeBase(models.StageProcessing),
	"knowledgebase-activated":  decKnowledgeBase(models.StageActivated),
	"knowledgebase-failed":     decKnowledgeBase(models.StageFailed),
	"resource-acquired":        decResource(models.StageAcquired),
	"resource-released":        decResource(models.StageReleased),

	// AI agents: cloud agent sessions and the older AI deployments.
	"agent-session-starting":         decAgent(models.AgentSessionKind, models.StageStarting),
	"agent-session-started":          decAgent(models.AgentSessionKind, models.StageStarted),
	"agent-session-stopping":         decAgent(models.AgentSessionKind, models.StageStopping),
	"agent-session-stopped":          decAgent(models.AgentSessionKind, models.StageStopped),
	"agent-session-failed":           decAgent(models.AgentSessionKind, models.StageFailed),
	"ai-deployment-session-starting": decAgent(models.AIDeploymentKind, models.StageStarting),
	"ai-deployment-session-started":  decAgent(models.AIDeploymentKind, models.StageStarted),
	"ai-deployment-session-stopping": decAgent(models.AIDeploymentKind, models.StageStopping),
	"ai-deployment-session-stopped":  decAgent(models.AIDeploymentKind, models.StageStopped),
	"ai-deployment-session-failed":   decAgent(models.AIDeploymentKind, models.StageFailed),

	// Batch call campaigns.
	"batchcall-started":   decBatchCall(models.StageStarted),
	"batchcall-completed": decBatchCall(models.StageCompleted),

	// SIP calls: the event type is the step.
	"call-started":            decCall,
	"call-ringing":            decCall,
	"call-answered":           decCall,
	"call-missed":             decCall,
	"call-hangup":             decCall,
	"call-update":             decCall,
	"call-transferring":       decCall,
	"call-transferred":        decCall,
	"call-transfer-initiated": decCall,
	"call-transfer-ringing":   decCall,
	"call-transfer-accepted":  decCall,
	"call-transfer-failed":    decCall,
	"switch-room-initiated":   decCall,
	"switch-room-completed":   decCall,
	"switch-room-failed":      decCall,
}

// decSession decodes a session starting or ending.
func decSession(ended bool) decoder {
	return func(ev *models.Event, d payload.Fields) { ev.Session = sessionChange(d, ended) }
}

// decParticipant decodes a participant joining or leaving.
func decParticipant(left bool) decoder {
	return func(ev *models.Event, d payload.Fields) {
		ev.Participant = &models.ParticipantChange{
			ParticipantID: d.Str("participantId"),
			Name:          d.Str("participantName"),
			Left:          left,
			Reason:        d.Str("reason"),
		}
	}
}

// decRecording decodes a stage of a recording of one kind.
func decRecording(kind models.RecordingKind, stage models.Stage) decoder {
	return func(ev *models.Event, d payload.Fields) { ev.Recording = recording(ev, d, kind, stage) }
}

// decStream decodes a stage of an HLS stream or livestream.
func decStream(kind models.StreamKind, stage models.Stage) decoder {
	return func(ev *models.Event, d payload.Fields) { ev.Stream = stream(ev, d, kind, stage) }
}

// decTranscription decodes a stage of a transcription or translation.
func decTranscription(kind models.TranscriptionKind, stage models.Stage) decoder {
	return func(ev *models.Event, d payload.Fields) { ev.Transcription = transcription(ev, d, kind, stage) }
}

// decKnowledgeBase decodes a stage of a knowledge base record.
func decKnowledgeBase(stage models.Stage) decoder {
	return func(ev *models.Event, d payload.Fields) {
		ev.KnowledgeBase = &models.KnowledgeBaseChange{
			KnowledgeBaseID: d.Str("id"),
			RecordID:        d.Str("recordId"),
			MetaData:        jsonText(d, "metaData"),
			Stage:           stage,
			Message:         reason(d, stage),
		}
	}
}

// decResource reads a composer resource event; older accounts name the
// composer in "type" rather than "composerType".
func decResource(stage models.Stage) decoder {
	return func(ev *models.Event, d payload.Fields) {
		ev.Resource = &models.ResourceChange{
			ResourceID:   d.Str("id"),
			ComposerType: d.First("composerType", "type"),
			Stage:        stage,
		}
	}
}

// decAgent decodes a stage of an agent session or AI deployment.
func decAgent(kind models.AgentKind, stage models.Stage) decoder {
	return func(ev *models.Event, d payload.Fields) { ev.Agent = agent(ev, d, kind, stage) }
}

// decBatchCall decodes a stage of a batch call campaign.
func decBatchCall(stage models.Stage) decoder {
	return func(ev *models.Event, d payload.Fields) {
		ev.BatchCall = &models.BatchCallChange{BatchID: d.Str("batchId"), Name: d.Str("batchName"), Stage: stage}
	}
}

// decCall decodes a step of a SIP call.
func decCall(ev *models.Event, d payload.Fields) { ev.Call = call(ev, d) }
