package videosdk

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/webhooktest"
	"github.com/meetboard/meetboard/models"
)

// Values that recur in the fixtures.
const (
	fxMeeting     = "jvsg-8rjn-j304"
	fxSession     = "613731342f27f56e4fc4b6d0"
	fxTrSession   = "621497578bea0d0404c35c4c"
	fxComposer    = "665fcf7f2abe9a2807e42700"
	fxAgentSess   = "665fcf7f2abe9a2807e42700"
	fxAIDeploy    = "session-5bf19efa-22af-41d8-8a3f-b4dbd3f8bcac"
	fxMergeID     = "bf37fabb-6e34-418b-bc29-97f053fc6cfe"
	fxTrID        = "40b0a4ed-9842-40c9-a288-e4b1bf98a90a"
	fxKBID        = "kb-5bf19efa-22af-41d8-8a3f-b4dbd3f8bcac"
	fxKBRecord    = "rec-2abe9a2807e42700"
	fxResource    = "abcdef9879288c1f48339f64"
	fxCallID      = "9879288c-1f48-339f-6462-d148951a1eb2"
	fxFilePath    = "/encoded/videos/62d148951a1eb20029fc9b05.mp4"
	fxFileURL     = "https://cdn.videosdk.live/encoded/videos/62d148951a1eb20029fc9b05.mp4"
	fxFilePath2   = "/encoded/videos/62d148951a1eb20029fc9b06.mp4"
	fxFileURL2    = "https://cdn.videosdk.live/encoded/videos/62d148951a1eb20029fc9b06.mp4"
	fxMergeURL    = "https://cdn.videosdk.live/encoded/videos/665fcf7f2abe9a2807e42700.mp4"
	fxKeyURL      = "https://cdn.videosdk.live/encoded/videos/62d148951a1eb20029fc9b05.key.enc"
	fxMetaURL     = "https://cdn.videosdk.live/encoded/videos/62d148951a1eb20029fc9b05.meta.json"
	fxPlayback    = "https://cdn.videosdk.live/meetings-hls/b8a770ef-d713-4a27-9ab7-e5a0b724caaf/index.m3u8"
	fxLivestream  = "https://cdn.videosdk.live/meetings-hls/b8a770ef-d713-4a27-9ab7-e5a0b724caaf/livestream.m3u8"
	fxDownstream  = "https://cdn.videosdk.live/meetings-hls/b8a770ef-d713-4a27-9ab7-e5a0b724caaf/downstream.m3u8"
	fxReason      = "reason, if any"
	fxErrMessage  = "error message, if any"
	fxComposited  = `[{"participantId":"abcd","kind":["audio","video"]}]`
	fxLegacyKey   = "session/" + fxSession + "//"
	fxPartRecKey  = "session/" + fxSession + "/abcd/"
	fxTrackRecKey = "session/" + fxSession + "/abcd/audio"
)

func utc(hour, min, sec, msec int) *time.Time {
	t := time.Date(2022, time.July, 5, hour, min, sec, msec*int(time.Millisecond), time.UTC)
	return &t
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestDecodeAllFixtures: every v2 and legacy fixture decodes cleanly into
// exactly one change, typed after its file.
func TestDecodeAllFixtures(t *testing.T) {
	for _, dir := range []string{"v2", "legacy"} {
		for _, name := range webhooktest.FixtureNames(t, dir) {
			t.Run(dir+"/"+name, func(t *testing.T) {
				ev, err := Decode(webhooktest.ReadFixture(t, dir+"/"+name+".json"))
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if ev.Type != name {
					t.Errorf("Type = %q, want %q", ev.Type, name)
				}
				// A failure without a reason is noted as such; nothing else is.
				for _, p := range ev.Problems {
					if p != NoReason || !strings.HasSuffix(name, "-failed") {
						t.Errorf("Problems = %q, want none but the note of a failure without a reason", ev.Problems)
						break
					}
				}
				if !ev.HasChange() {
					t.Errorf("no change: the event would be kept in the log only")
				}
				if n := webhooktest.ChangeCount(ev); n != 1 {
					t.Errorf("%d change pointers set, want exactly 1:\n%s", n, webhooktest.Dump(ev))
				}
				webhooktest.CheckClean(t, ev)
			})
		}
	}
}

type decodeCase struct {
	want models.Event
	// problems lists substrings, one per expected problem, in order; the
	// problems are not compared otherwise.
	problems []string
}

func evMeeting(meeting, session string) models.Event {
	return models.Event{MeetingID: meeting, SessionID: session}
}

func withRecording(ev models.Event, r models.RecordingChange) models.Event {
	ev.Recording = &r
	return ev
}

func withStream(ev models.Event, s models.StreamChange) models.Event {
	ev.Stream = &s
	return ev
}

func callEvent(typ, status string, min, sec int) models.Event {
	ev := evMeeting(fxMeeting, "")
	text := "2022-07-05T15:" + two(min) + ":" + two(sec) + ".047+00:00"
	ev.Call = &models.CallChange{
		CallID:            fxCallID,
		RoomID:            fxMeeting,
		Direction:         "outbound",
		From:              "+1987654321",
		To:                "+1234567890",
		GatewayID:         "abcd-abcd-abcd-abcd-abcd",
		RuleID:            "rr_2abe9a2807e42700",
		Step:              typ,
		Status:            status,
		At:                utc(15, min, sec, 47),
		AtText:            text,
		MetaData:          "{}",
		AdditionalDetails: "{}",
	}
	return ev
}

func two(n int) string {
	s := itoa(n)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}

func agentEvent(meeting string, a models.AgentChange) models.Event {
	ev := evMeeting(meeting, "")
	ev.Agent = &a
	return ev
}

func kbEvent(stage models.Stage, message string) models.Event {
	return models.Event{KnowledgeBase: &models.KnowledgeBaseChange{
		KnowledgeBaseID: fxKBID, RecordID: fxKBRecord, MetaData: "{}", Stage: stage, Message: message,
	}}
}

func trEvent(kind models.TranscriptionKind, stage models.Stage, message string) models.Event {
	ev := evMeeting(fxMeeting, fxTrSession)
	ev.Transcription = &models.TranscriptionChange{Kind: kind, Key: fxTrID, Mode: "realtime", Stage: stage, Message: message}
	return ev
}

func resourceEvent(stage models.Stage) models.Event {
	return models.Event{Resource: &models.ResourceChange{ResourceID: fxResource, ComposerType: "recording", Stage: stage}}
}

func batchEvent(stage models.Stage) models.Event {
	return models.Event{BatchCall: &models.BatchCallChange{BatchID: "btcl_abcd", Name: "my-campaign", Stage: stage}}
}

func compositeRec(stage models.Stage, files []models.File) models.Event {
	return withRecording(evMeeting(fxMeeting, fxSession), models.RecordingChange{
		Kind: models.RecordingComposite, Key: fxComposer, ExternalID: fxComposer,
		Stage: stage, Files: files, Participants: fxComposited,
	})
}

func mergeRec(kind models.RecordingKind, id string, stage models.Stage, message string, files []models.File) models.Event {
	return withRecording(evMeeting(fxMeeting, fxSession), models.RecordingChange{
		Kind: kind, Key: id, ExternalID: id, Stage: stage, Message: message, Files: files,
	})
}

func meetingRec(stage models.Stage, message string) models.Event {
	return withRecording(evMeeting(fxMeeting, fxSession), models.RecordingChange{
		Kind: models.RecordingMeeting, Key: fxComposer, ExternalID: fxComposer, Stage: stage, Message: message,
	})
}

func participantRec(stage models.Stage, format string, files []models.File) models.Event {
	return withRecording(evMeeting(fxMeeting, fxSession), models.RecordingChange{
		Kind: models.RecordingParticipant, Key: fxPartRecKey, ParticipantID: "abcd",
		FileFormat: format, Stage: stage, Files: files,
	})
}

func trackRec(stage models.Stage, format string, files []models.File) models.Event {
	return withRecording(evMeeting(fxMeeting, fxSession), models.RecordingChange{
		Kind: models.RecordingParticipantTrack, Key: fxTrackRecKey, ParticipantID: "abcd", TrackKind: "audio",
		FileFormat: format, Stage: stage, Files: files,
	})
}

func streamEv(kind models.StreamKind, stage models.Stage, s models.StreamChange) models.Event {
	s.Kind, s.Stage, s.Key, s.ExternalID = kind, stage, fxComposer, fxComposer
	return withStream(evMeeting(fxMeeting, fxSession), s)
}

func legacyStream(kind models.StreamKind, stage models.Stage, playback string) models.Event {
	return withStream(evMeeting(fxMeeting, fxSession), models.StreamChange{
		Kind: kind, Key: "session/" + fxSession, Stage: stage, PlaybackURL: playback,
	})
}

func legacyRec(stage models.Stage, files []models.File) models.Event {
	return withRecording(evMeeting(fxMeeting, fxSession), models.RecordingChange{
		Kind: models.RecordingMeeting, Key: fxLegacyKey, Stage: stage, Files: files,
	})
}

func legacyTrack(stage models.Stage) models.Event {
	return withRecording(evMeeting(fxMeeting, fxSession), models.RecordingChange{
		Kind: models.RecordingParticipantTrack, Key: fxTrackRecKey, ParticipantID: "abcd", TrackKind: "audio", Stage: stage,
	})
}

func aiDeploy(stage models.Stage) models.Event {
	return agentEvent("", models.AgentChange{Kind: models.AIDeploymentKind, AgentSession: fxAIDeploy, Stage: stage})
}

func participant(p models.ParticipantChange) models.Event {
	ev := evMeeting(fxMeeting, fxSession)
	ev.Participant = &p
	return ev
}

func session(s models.SessionChange) models.Event {
	ev := evMeeting(fxMeeting, fxSession)
	ev.Session = &s
	return ev
}

// noReasonNote is the problem of a failure that gives no reason.
var noReasonNote = []string{NoReason}

var (
	oneFile   = []models.File{{Path: fxFilePath, URL: fxFileURL}}
	mergeFile = []models.File{{URL: fxMergeURL}}
)

// v2Cases is the expected normalized event for every fixture in testdata/v2,
// by webhookType (Type itself is filled in from the name).
var v2Cases = map[string]decodeCase{
	// Agent sessions: sessionId is the agent's own session, never the meeting's.
	"agent-session-failed": {want: agentEvent(fxMeeting, models.AgentChange{
		Kind: models.AgentSessionKind, AgentID: "ag_abcd", VersionID: "v_abcd", Stage: models.StageFailed}), problems: noReasonNote},
	"agent-session-started": {want: agentEvent(fxMeeting, models.AgentChange{
		Kind: models.AgentSessionKind, AgentSession: fxAgentSess, AgentID: "ag_abcd", DeploymentID: "dep_abcd",
		VersionID: "v_abcd", Stage: models.StageStarted})},
	"agent-session-starting": {want: agentEvent(fxMeeting, models.AgentChange{
		Kind: models.AgentSessionKind, AgentID: "ag_abcd", DeploymentID: "dep_abcd", VersionID: "v_abcd",
		Stage: models.StageStarting})},
	"agent-session-stopped": {want: agentEvent("", models.AgentChange{
		Kind: models.AgentSessionKind, AgentSession: fxAgentSess, AgentID: "ag_abcd", DeploymentID: "dep_abcd",
		VersionID: "v_abcd", Stage: models.StageStopped})},
	"agent-session-stopping": {want: agentEvent("", models.AgentChange{
		Kind: models.AgentSessionKind, AgentSession: fxAgentSess, AgentID: "ag_abcd", DeploymentID: "dep_abcd",
		VersionID: "v_abcd", Stage: models.StageStopping})},

	"batchcall-completed": {want: batchEvent(models.StageCompleted)},
	"batchcall-started":   {want: batchEvent(models.StageStarted)},

	// SIP calls: roomId is the meeting, "type" the direction, the webhook
	// type the step.
	"call-answered":           {want: callEvent("call-answered", "ANSWERED", 55, 38)},
	"call-hangup":             {want: callEvent("call-hangup", "HANGUP", 55, 47)},
	"call-missed":             {want: callEvent("call-missed", "MISSED", 55, 44)},
	"call-ringing":            {want: callEvent("call-ringing", "RINGING", 55, 41)},
	"call-started":            {want: callEvent("call-started", "STARTED", 55, 35)},
	"call-transfer-accepted":  {want: callEvent("call-transfer-accepted", "TRANSFER_ACCEPTED", 55, 56)},
	"call-transfer-failed":    {want: callEvent("call-transfer-failed", "TRANSFER_FAILED", 56, 8)},
	"call-transfer-initiated": {want: callEvent("call-transfer-initiated", "TRANSFER_INITIATED", 55, 53)},
	"call-transfer-ringing":   {want: callEvent("call-transfer-ringing", "TRANSFER_RINGING", 56, 2)},
	"call-transferred":        {want: callEvent("call-transferred", "TRANSFERRED", 56, 5)},
	"call-transferring":       {want: callEvent("call-transferring", "TRANSFERRING", 55, 59)},
	"call-update":             {want: callEvent("call-update", "UPDATED", 55, 50)},
	"switch-room-completed":   {want: callEvent("switch-room-completed", "SWITCH_ROOM_COMPLETED", 56, 14)},
	"switch-room-failed":      {want: callEvent("switch-room-failed", "SWITCH_ROOM_FAILED", 56, 17)},
	"switch-room-initiated":   {want: callEvent("switch-room-initiated", "SWITCH_ROOM_INITIATED", 56, 11)},

	"composite-merge-cancelled": {want: mergeRec(models.RecordingCompositeMerge, fxComposer, models.StageCancelled, "", nil)},
	"composite-merge-completed": {want: mergeRec(models.RecordingCompositeMerge, fxComposer, models.StageCompleted, "", mergeFile)},
	"composite-merge-failed":    {want: mergeRec(models.RecordingCompositeMerge, fxComposer, models.StageFailed, fxErrMessage, nil)},
	"composite-merge-started":   {want: mergeRec(models.RecordingCompositeMerge, fxComposer, models.StageStarted, "", nil)},

	// Composite recordings name the meeting roomId.
	"composite-recording-failed":   {want: compositeRec(models.StageFailed, nil), problems: noReasonNote},
	"composite-recording-started":  {want: compositeRec(models.StageStarted, nil)},
	"composite-recording-starting": {want: compositeRec(models.StageStarting, nil)},
	"composite-recording-stopped":  {want: compositeRec(models.StageStopped, oneFile)},
	"composite-recording-stopping": {want: compositeRec(models.StageStopping, nil)},

	"hls-failed":   {want: streamEv(models.StreamHLS, models.StageFailed, models.StreamChange{Message: fxReason})},
	"hls-playable": {want: streamEv(models.StreamHLS, models.StagePlayable, models.StreamChange{PlaybackURL: fxPlayback, LivestreamURL: fxLivestream})},
	"hls-started":  {want: streamEv(models.StreamHLS, models.StageStarted, models.StreamChange{PlaybackURL: fxPlayback})},
	"hls-starting": {want: streamEv(models.StreamHLS, models.StageStarting, models.StreamChange{Message: fxReason})},
	"hls-stopped":  {want: streamEv(models.StreamHLS, models.StageStopped, models.StreamChange{})},
	"hls-stopping": {want: streamEv(models.StreamHLS, models.StageStopping, models.StreamChange{Message: fxReason})},

	"knowledgebase-activated":  {want: kbEvent(models.StageActivated, "")},
	"knowledgebase-failed":     {want: kbEvent(models.StageFailed, fxReason)},
	"knowledgebase-processing": {want: kbEvent(models.StageProcessing, "")},

	"livestream-failed":   {want: streamEv(models.StreamLivestream, models.StageFailed, models.StreamChange{Message: fxReason})},
	"livestream-started":  {want: streamEv(models.StreamLivestream, models.StageStarted, models.StreamChange{})},
	"livestream-starting": {want: streamEv(models.StreamLivestream, models.StageStarting, models.StreamChange{Message: fxReason})},
	"livestream-stopped":  {want: streamEv(models.StreamLivestream, models.StageStopped, models.StreamChange{})},
	"livestream-stopping": {want: streamEv(models.StreamLivestream, models.StageStopping, models.StreamChange{Message: fxReason})},

	"merge-recording-completed": {want: mergeRec(models.RecordingMerge, fxMergeID, models.StageCompleted, "", nil)},
	"merge-recording-failed":    {want: mergeRec(models.RecordingMerge, fxMergeID, models.StageFailed, fxErrMessage, nil)},

	"participant-joined": {want: participant(models.ParticipantChange{ParticipantID: "fkd74h", Name: "John"})},
	"participant-left": {want: participant(models.ParticipantChange{
		ParticipantID: "fkd74h", Name: "John", Left: true, Reason: "user-left"})},

	"participant-recording-failed":   {want: participantRec(models.StageFailed, "", nil), problems: noReasonNote},
	"participant-recording-started":  {want: participantRec(models.StageStarted, "webm", nil)},
	"participant-recording-starting": {want: participantRec(models.StageStarting, "webm", nil)},
	"participant-recording-stopped":  {want: participantRec(models.StageStopped, "", oneFile)},
	"participant-recording-stopping": {want: participantRec(models.StageStopping, "webm", nil)},

	"participant-track-recording-failed":   {want: trackRec(models.StageFailed, "", nil), problems: noReasonNote},
	"participant-track-recording-started":  {want: trackRec(models.StageStarted, "webm", nil)},
	"participant-track-recording-starting": {want: trackRec(models.StageStarting, "webm", nil)},
	"participant-track-recording-stopped":  {want: trackRec(models.StageStopped, "", oneFile)},
	"participant-track-recording-stopping": {want: trackRec(models.StageStopping, "webm", nil)},

	"recording-failed":   {want: meetingRec(models.StageFailed, fxReason)},
	"recording-started":  {want: meetingRec(models.StageStarted, "")},
	"recording-starting": {want: meetingRec(models.StageStarting, fxReason)},
	"recording-stopped": {want: withRecording(evMeeting(fxMeeting, fxSession), models.RecordingChange{
		Kind: models.RecordingMeeting, Key: fxComposer, ExternalID: fxComposer, Stage: models.StageStopped,
		Files: oneFile, KeyURL: fxKeyURL, MetaURL: fxMetaURL})},
	"recording-stopping": {want: meetingRec(models.StageStopping, fxReason)},

	"resource-acquired": {want: resourceEvent(models.StageAcquired)},
	"resource-released": {want: resourceEvent(models.StageReleased)},

	"session-ended": {want: session(models.SessionChange{
		Ended: true, Start: utc(15, 55, 35, 47), End: utc(16, 0, 35, 47), Reason: "Meeting Ended."})},
	"session-started": {want: session(models.SessionChange{Start: utc(15, 55, 35, 47)})},

	"transcription-failed":  {want: trEvent(models.KindTranscription, models.StageFailed, fxReason)},
	"transcription-started": {want: trEvent(models.KindTranscription, models.StageStarted, "")},
	"transcription-stopped": {want: trEvent(models.KindTranscription, models.StageStopped, "")},
	"translation-failed":    {want: trEvent(models.KindTranslation, models.StageFailed, ""), problems: noReasonNote},
	"translation-started":   {want: trEvent(models.KindTranslation, models.StageStarted, "")},
	"translation-stopped":   {want: trEvent(models.KindTranslation, models.StageStopped, "")},
}

// legacyCases is the expected event for every fixture in testdata/legacy:
// the shapes older accounts send, mostly without ids.
var legacyCases = map[string]decodeCase{
	"ai-deployment-session-failed":   {want: aiDeploy(models.StageFailed), problems: noReasonNote},
	"ai-deployment-session-started":  {want: aiDeploy(models.StageStarted)},
	"ai-deployment-session-starting": {want: aiDeploy(models.StageStarting)},
	"ai-deployment-session-stopped":  {want: aiDeploy(models.StageStopped)},
	"ai-deployment-session-stopping": {want: aiDeploy(models.StageStopping)},

	"hls-failed":   {want: legacyStream(models.StreamHLS, models.StageFailed, ""), problems: noReasonNote},
	"hls-playable": {want: legacyStream(models.StreamHLS, models.StagePlayable, fxPlayback)},
	"hls-started":  {want: legacyStream(models.StreamHLS, models.StageStarted, fxPlayback)},
	"hls-starting": {want: legacyStream(models.StreamHLS, models.StageStarting, "")},
	"hls-stopped":  {want: legacyStream(models.StreamHLS, models.StageStopped, "")},
	"hls-stopping": {want: legacyStream(models.StreamHLS, models.StageStopping, "")},

	"livestream-failed":   {want: legacyStream(models.StreamLivestream, models.StageFailed, ""), problems: noReasonNote},
	"livestream-started":  {want: legacyStream(models.StreamLivestream, models.StageStarted, "")},
	"livestream-starting": {want: legacyStream(models.StreamLivestream, models.StageStarting, "")},
	"livestream-stopped":  {want: legacyStream(models.StreamLivestream, models.StageStopped, "")},
	"livestream-stopping": {want: legacyStream(models.StreamLivestream, models.StageStopping, "")},

	"participant-left": {want: participant(models.ParticipantChange{ParticipantID: "fkd74h", Name: "John", Left: true})},

	"participant-track-recording-started":  {want: legacyTrack(models.StageStarted)},
	"participant-track-recording-starting": {want: legacyTrack(models.StageStarting)},
	"participant-track-recording-stopping": {want: legacyTrack(models.StageStopping)},

	"recording-failed":   {want: legacyRec(models.StageFailed, nil), problems: noReasonNote},
	"recording-started":  {want: legacyRec(models.StageStarted, nil)},
	"recording-starting": {want: legacyRec(models.StageStarting, nil)},
	"recording-stopped":  {want: legacyRec(models.StageStopped, oneFile)},
	"recording-stopping": {want: legacyRec(models.StageStopping, nil)},

	// The legacy resource-acquired names the composer in "type".
	"resource-acquired": {want: resourceEvent(models.StageAcquired)},

	"session-ended": {want: session(models.SessionChange{Ended: true, Start: utc(15, 55, 35, 47), End: utc(16, 0, 35, 47)})},

	"transcription-failed": {want: trEvent(models.KindTranscription, models.StageFailed, ""), problems: noReasonNote},
}

// edgeCases is keyed by file name; the fixture's webhookType is in want.
var edgeCases = map[string]decodeCase{
	"hls-playable-downstream": {want: func() models.Event {
		ev := streamEv(models.StreamHLS, models.StagePlayable, models.StreamChange{DownstreamURL: fxDownstream})
		ev.Type = "hls-playable"
		return ev
	}()},
	"participant-track-recording-stopped-two-files": {want: func() models.Event {
		ev := withRecording(evMeeting(fxMeeting, fxSession), models.RecordingChange{
			Kind: models.RecordingParticipantTrack, Key: "session/" + fxSession + "/abcd/video",
			ParticipantID: "abcd", TrackKind: "video", Stage: models.StageStopped,
			Files: []models.File{{Path: fxFilePath, URL: fxFileURL}, {Path: fxFilePath2, URL: fxFileURL2}},
		})
		ev.Type = "participant-track-recording-stopped"
		return ev
	}()},
	// fileUrl is null with your own storage: the file has a path only.
	"recording-stopped-encrypted-nofile": {want: func() models.Event {
		ev := withRecording(evMeeting(fxMeeting, fxSession), models.RecordingChange{
			Kind: models.RecordingMeeting, Key: fxComposer, ExternalID: fxComposer, Stage: models.StageStopped,
			Files: []models.File{{Path: fxFilePath}}, KeyURL: fxKeyURL, MetaURL: fxMetaURL,
		})
		ev.Type = "recording-stopped"
		return ev
	}()},
	// "15:60:35" is in VideoSDK's own example: End is dropped and noted,
	// and the session ends at the arrival time instead.
	"session-ended-bad-time": {
		want: func() models.Event {
			ev := session(models.SessionChange{Ended: true, Start: utc(15, 55, 35, 47), EndAtArrival: true, Reason: "Meeting Ended."})
			ev.Type = "session-ended"
			return ev
		}(),
		problems: []string{`end: unparseable time "2022-07-05T15:60:35.047+00:00"; the arrival time stands in`},
	},
	// Older recording-stopped deliveries also name the file by id (fileId):
	// the id is kept with the file.
	"recording-stopped-fileid": {want: func() models.Event {
		ev := legacyRec(models.StageStopped, []models.File{{ID: "62d148951a1eb20029fc9b05", Path: fxFilePath, URL: fxFileURL}})
		ev.Type = "recording-stopped"
		return ev
	}()},
	// A failure's reason is kept when the provider gives one, and then
	// nothing is noted.
	"participant-track-recording-failed-message": {want: func() models.Event {
		ev := trackRec(models.StageFailed, "", nil)
		ev.Recording.Message = fxErrMessage
		ev.Type = "participant-track-recording-failed"
		return ev
	}()},
	"unknown-type": {want: models.Event{Type: "meeting-teleported", MeetingID: fxMeeting}},
	"wrong-types": {
		want: func() models.Event {
			ev := participant(models.ParticipantChange{ParticipantID: "42"})
			ev.Type = "participant-joined"
			return ev
		}(),
		problems: []string{"participantName"},
	},
}

func runCases(t *testing.T, dir string, cases map[string]decodeCase, typeFromName bool) {
	t.Helper()
	for _, name := range webhooktest.FixtureTable(t, dir, cases) {
		tc := cases[name]
		t.Run(name, func(t *testing.T) {
			want := tc.want
			if typeFromName {
				want.Type = name
			}
			got, err := Decode(webhooktest.ReadFixture(t, dir+"/"+name+".json"))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			webhooktest.CheckProblems(t, got.Problems, tc.problems)
			got.Problems = nil
			if d := webhooktest.EventDiff(got, want); d != "" {
				t.Errorf("mismatch:\n%s", d)
			}
		})
	}
}

func TestDecodeV2(t *testing.T)     { runCases(t, "v2", v2Cases, true) }
func TestDecodeLegacy(t *testing.T) { runCases(t, "legacy", legacyCases, true) }
func TestDecodeEdge(t *testing.T)   { runCases(t, "edge", edgeCases, false) }

// TestDecodeRecordingKeysFold: recordings without an id still get one key
// for all their stages, so starting..stopped fold into one recording.
func TestDecodeRecordingKeysFold(t *testing.T) {
	groups := []struct {
		dir, prefix, key string
	}{
		{"legacy", "recording-", fxLegacyKey},
		{"legacy", "participant-track-recording-", fxTrackRecKey},
		{"v2", "participant-recording-", fxPartRecKey},
		{"v2", "participant-track-recording-", fxTrackRecKey},
		{"v2", "recording-", fxComposer},
		{"v2", "composite-recording-", fxComposer},
	}
	for _, g := range groups {
		t.Run(g.dir+"/"+g.prefix, func(t *testing.T) {
			n := 0
			for _, name := range webhooktest.FixtureNames(t, g.dir) {
				if !strings.HasPrefix(name, g.prefix) {
					continue
				}
				n++
				ev, err := Decode(webhooktest.ReadFixture(t, g.dir+"/"+name+".json"))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if ev.Recording == nil {
					t.Fatalf("%s: no recording change", name)
				}
				if ev.Recording.Key != g.key {
					t.Errorf("%s: Key = %q, want %q", name, ev.Recording.Key, g.key)
				}
			}
			if n < 3 {
				t.Fatalf("only %d fixtures with prefix %q", n, g.prefix)
			}
		})
	}
}

// malformedBodies are not VideoSDK webhooks at all.
var malformedBodies = []string{
	"",
	"   ",
	"not json",
	"[]",
	"{}",
	"null",
	"42",
	`"participant-joined"`,
	`{"webhookType": 5}`,
	`{"webhookType": ""}`,
	`{"webhookType": "   "}`,
	`{"webhookType": null}`,
	`{"webhookType": ["x"]}`,
	`{"webhookType": {"name": "x"}}`,
	`{"webhookType":"x"`,
	`{"webhookType":"x"} {}`,
	`{"data": {"meetingId": "m"}}`,
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
		want     models.Event // compared in full when check is nil
		problems []string
		check    func(t *testing.T, ev models.Event)
	}{
		{
			name: "no data",
			body: `{"webhookType":"x"}`,
			want: models.Event{Type: "x"},
		},
		{
			name: "null data",
			body: `{"webhookType":"x","data":null}`,
			want: models.Event{Type: "x"},
		},
		{
			name:     "data not an object",
			body:     `{"webhookType":"participant-joined","data":"str"}`,
			problems: []string{"data"},
			check: func(t *testing.T, ev models.Event) {
				if ev.Type != "participant-joined" || ev.MeetingID != "" || ev.SessionID != "" {
					t.Errorf("got %s", webhooktest.Dump(ev))
				}
			},
		},
		{
			name:     "data an array",
			body:     `{"webhookType":"session-started","data":[1,2]}`,
			problems: []string{"data"},
			check: func(t *testing.T, ev models.Event) {
				if ev.Type != "session-started" {
					t.Errorf("Type = %q", ev.Type)
				}
			},
		},
		{
			name: "known family, unknown stage",
			body: `{"webhookType":"recording-paused","data":{"meetingId":"m"}}`,
			want: models.Event{Type: "recording-paused", MeetingID: "m"},
		},
		{
			name: "known family, no stage",
			body: `{"webhookType":"hls-","data":{"meetingId":"m","sessionId":"s"}}`,
			want: models.Event{Type: "hls-", MeetingID: "m", SessionID: "s"},
		},
		{
			name: "resource, unknown stage",
			body: `{"webhookType":"resource-borrowed","data":{"id":"r"}}`,
			want: models.Event{Type: "resource-borrowed"},
		},
		{
			name: "knowledgebase, unknown stage",
			body: `{"webhookType":"knowledgebase-queued","data":{"id":"k"}}`,
			want: models.Event{Type: "knowledgebase-queued"},
		},
		{
			name: "agent, unknown stage",
			body: `{"webhookType":"agent-session-paused","data":{"meetingId":"m","agentId":"a"}}`,
			want: models.Event{Type: "agent-session-paused", MeetingID: "m"},
		},
		{
			name: "numbers read as text",
			body: `{"webhookType":"participant-left","data":{"meetingId":12,"sessionId":-3.5,"participantId":7}}`,
			want: models.Event{Type: "participant-left", MeetingID: "12", SessionID: "-3.5",
				Participant: &models.ParticipantChange{ParticipantID: "7", Left: true}},
		},
		{
			name: "wrong shapes inside a recording",
			body: `{"webhookType":"recording-stopped","data":{"id":"r","fileDetails":"x","encryption":5}}`,
			want: models.Event{Type: "recording-stopped", Recording: &models.RecordingChange{
				Kind: models.RecordingMeeting, Key: "r", ExternalID: "r", Stage: models.StageStopped}},
			problems: []string{"fileDetails", "encryption"},
		},
		{
			name: "top-level file and fileDetails both kept, in order",
			body: `{"webhookType":"recording-stopped","data":{"id":"r","fileUrl":"u0","fileDetails":[{"fileUrl":"u1"},{"filePath":"p2"}]}}`,
			want: models.Event{Type: "recording-stopped", Recording: &models.RecordingChange{
				Kind: models.RecordingMeeting, Key: "r", ExternalID: "r", Stage: models.StageStopped,
				Files: []models.File{{URL: "u0"}, {URL: "u1"}, {Path: "p2"}}}},
		},
		{
			name: "meetingId wins over roomId",
			body: `{"webhookType":"call-started","data":{"meetingId":"m","roomId":"r"}}`,
			check: func(t *testing.T, ev models.Event) {
				if ev.MeetingID != "m" || ev.Call == nil || ev.Call.RoomID != "r" || ev.Call.Step != "call-started" {
					t.Errorf("got %s", webhooktest.Dump(ev))
				}
			},
		},
		{
			name: "session error object kept as JSON",
			body: `{"webhookType":"session-ended","data":{"sessionId":"s","error":{ "code" : 4001, "msg":"x" },"reason":"boom"}}`,
			want: models.Event{Type: "session-ended", SessionID: "s", Session: &models.SessionChange{
				Ended: true, Reason: "boom", Error: `{"code":4001,"msg":"x"}`}},
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
			if tc.check != nil {
				tc.check(t, ev)
				return
			}
			ev.Problems = nil
			if d := webhooktest.EventDiff(ev, tc.want); d != "" {
				t.Errorf("mismatch:\n%s", d)
			}
		})
	}
}

// TestDecodeCleansText: invalid UTF-8 and NUL never reach the event, in
// any field.
func TestDecodeCleansText(t *testing.T) {
	t.Run("participant", func(t *testing.T) {
		body := "{\"webhookType\":\"participant-left\",\"data\":{" +
			"\"meetingId\":\"m\\u0000x\",\"sessionId\":\"\\u0000\",\"participantId\":\"p\xffq\"," +
			"\"participantName\":\"J\\u0000o\xc3(hn\",\"reason\":\"\\u0000\\u0000\"}}"
		ev, err := Decode([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		webhooktest.CheckClean(t, ev)
		want := models.Event{Type: "participant-left", MeetingID: "mx", Participant: &models.ParticipantChange{
			ParticipantID: "p\uFFFDq", Name: "Jo\uFFFD(hn", Left: true}}
		if d := webhooktest.EventDiff(ev, want); d != "" {
			t.Errorf("mismatch:\n%s", d)
		}
	})
	bodies := map[string]string{
		"type with NUL":   `{"webhookType":"recording-\u0000stopped","data":{"id":"r"}}`,
		"type bad UTF-8":  "{\"webhookType\":\"hls-\xff\",\"data\":{}}",
		"type NUL inside": `{"webhookType":"a\u0000b"}`,
		"recording": "{\"webhookType\":\"recording-stopped\",\"data\":{\"id\":\"r\\u0000\xfe\"," +
			"\"filePath\":\"/p\\u0000\",\"fileUrl\":\"\xff\",\"fileDetails\":[{\"filePath\":\"\\u0000\",\"fileUrl\":\"u\xc0\"}]," +
			"\"encryption\":{\"keyUrl\":\"k\\u0000\",\"metaUrl\":\"\xed\xa0\x80\"}," +
			"\"participants\":[{\"participantId\":\"\\u0000\xff\"}],\"message\":\"\\ud800\"}}",
		"call": "{\"webhookType\":\"call-started\",\"data\":{\"callId\":\"\\u0000\",\"roomId\":\"\xff\"," +
			"\"type\":\"in\\u0000\",\"timestamp\":\"2022\\u0000\",\"metaData\":{\"k\\u0000\":\"\xff\"}," +
			"\"additionalDetails\":[\"\xf0\x28\x8c\x28\"]}}",
		"session":   "{\"webhookType\":\"session-ended\",\"data\":{\"start\":\"\\u0000\",\"end\":\"\xff\",\"error\":\"\xff\\u0000\",\"reason\":\"\\u0000\"}}",
		"knowledge": "{\"webhookType\":\"knowledgebase-failed\",\"data\":{\"id\":\"\xff\",\"metaData\":{\"\xff\":\"\\u0000\"},\"message\":\"\\u0000\"}}",
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			ev, err := Decode([]byte(body))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			webhooktest.CheckClean(t, ev)
			checkJSONFields(t, ev)
		})
	}
	t.Run("NUL stripped from type", func(t *testing.T) {
		ev, err := Decode([]byte(bodies["type with NUL"]))
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type != "recording-stopped" {
			t.Errorf("Type = %q, want %q", ev.Type, "recording-stopped")
		}
	})
}

// checkJSONFields: the members kept as JSON text are valid JSON.
func checkJSONFields(t testing.TB, ev models.Event) {
	t.Helper()
	var fields = map[string]string{}
	if ev.Recording != nil {
		fields["Recording.Participants"] = ev.Recording.Participants
	}
	if ev.Session != nil {
		fields["Session.Error"] = ev.Session.Error
	}
	if ev.Call != nil {
		fields["Call.MetaData"] = ev.Call.MetaData
		fields["Call.AdditionalDetails"] = ev.Call.AdditionalDetails
	}
	if ev.KnowledgeBase != nil {
		fields["KnowledgeBase.MetaData"] = ev.KnowledgeBase.MetaData
	}
	for name, v := range fields {
		if v != "" && !json.Valid([]byte(v)) {
			t.Errorf("%s = %q is not valid JSON", name, v)
		}
	}
}

// TestDecodeTypeNeverBlank: a webhookType that is only NUL (or NUL and
// spaces) is as blank as "" and must not decode into an event with an empty
// Type.
func TestDecodeTypeNeverBlank(t *testing.T) {
	for _, body := range []string{
		`{"webhookType":"\u0000"}`,
		`{"webhookType":"\u0000\u0000","data":{"meetingId":"m"}}`,
		`{"webhookType":" \u0000 "}`,
	} {
		t.Run(body, func(t *testing.T) {
			ev, err := Decode([]byte(body))
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("error %v does not wrap ErrMalformed", err)
				}
				return
			}
			if strings.TrimSpace(ev.Type) == "" {
				t.Errorf("Decode(%s) = Type %q with no error; want ErrMalformed (blank webhookType)", body, ev.Type)
			}
		})
	}
}

// TestDecodeTimes: times are RFC 3339 text or Unix seconds, milliseconds
// when large; they come out in UTC, and whatever cannot be read is nil and
// noted.
func TestDecodeTimes(t *testing.T) {
	at := func(tm time.Time) *time.Time { return &tm }
	cases := []struct {
		name  string
		value string // JSON text of "start"
		want  *time.Time
	}{
		{"RFC 3339 with offset", `"2022-07-05T17:55:35.047+02:00"`, utc(15, 55, 35, 47)},
		{"RFC 3339 Z", `"2022-07-05T15:55:35Z"`, utc(15, 55, 35, 0)},
		{"seconds", `1657036535`, utc(15, 55, 35, 0)},
		{"seconds as text", `"1657036535"`, utc(15, 55, 35, 0)},
		{"milliseconds", `1657036535000`, utc(15, 55, 35, 0)},
		{"milliseconds with a fraction of a second", `1657036535047`, utc(15, 55, 35, 47)},
		{"milliseconds .999", `1657036535999`, utc(15, 55, 35, 999)},
		{"seconds past 2262", `99999999999`, at(time.Unix(99999999999, 0).UTC())},
		{"milliseconds past 2262", `9999999999999`, at(time.UnixMilli(9999999999999).UTC())},
		{"seconds with a fraction", `"1657036535.047"`, utc(15, 55, 35, 47)},
		{"milliseconds with a fraction", `1657036535047.5`, at(time.Date(2022, time.July, 5, 15, 55, 35, 47500000, time.UTC))},
		{"zero", `0`, nil},
		{"negative zero with a fraction", `-0.5`, nil},
		{"negative fraction as text", `"-0.25"`, nil},
		{"negative", `-5`, nil},
		{"words", `"soon"`, nil},
		{"hour 24", `"2022-07-05T24:00:00Z"`, nil},
		{"boolean", `true`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"webhookType":"session-started","data":{"sessionId":"s","start":` + tc.value + `}}`
			ev, err := Decode([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Session == nil {
				t.Fatalf("no session change: %s", webhooktest.Dump(ev))
			}
			got := ev.Session.Start
			switch {
			case tc.want == nil && got == nil:
				webhooktest.CheckProblems(t, ev.Problems, []string{"start"})
			case tc.want == nil:
				t.Errorf("start %s = %s, want nil and a problem", tc.value, webhooktest.FmtTime(got))
			case got == nil:
				// Too far out to represent is acceptable, if it is noted.
				if len(ev.Problems) == 0 {
					t.Errorf("start %s = nil with no problem noted, want %s", tc.value, webhooktest.FmtTime(tc.want))
				}
			case !got.Equal(*tc.want):
				t.Errorf("start %s = %s, want %s", tc.value, webhooktest.FmtTime(got), webhooktest.FmtTime(tc.want))
			case got.Location() != time.UTC:
				t.Errorf("start %s = %s, not in UTC", tc.value, webhooktest.FmtTime(got))
			}
		})
	}
}

// TestDecodeCallTimeText: AtText keeps the raw timestamp, even when it
// cannot be parsed.
func TestDecodeCallTimeText(t *testing.T) {
	ev, err := Decode([]byte(`{"webhookType":"call-hangup","data":{"roomId":"r","type":"inbound","timestamp":"yesterday"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Call == nil {
		t.Fatalf("no call change: %s", webhooktest.Dump(ev))
	}
	if ev.Call.At != nil || ev.Call.AtText != "yesterday" || ev.Call.Direction != "inbound" || ev.MeetingID != "r" {
		t.Errorf("got %s", webhooktest.Dump(ev))
	}
	webhooktest.CheckProblems(t, ev.Problems, []string{"timestamp"})
}

// TestDecodeWholeTypeNames: types are looked up whole, so a stage VideoSDK
// does not document, even in a known family, is kept in the log only, and
// every listed type decodes to a change at a known stage.
func TestDecodeWholeTypeNames(t *testing.T) {
	for _, typ := range []string{"recording-paused", "hls-processing", "recording-completed", "call-", "resource-", "agent-session-playable"} {
		ev, err := Decode([]byte(`{"webhookType":"` + typ + `","data":{"meetingId":"m","id":"x","callId":"c"}}`))
		if err != nil || ev.HasChange() {
			t.Errorf("%s: %s, %v; want a log-only event", typ, webhooktest.Dump(ev), err)
		}
	}
	for typ := range decoders {
		ev, err := Decode([]byte(`{"webhookType":"` + typ + `","data":{"meetingId":"m","id":"x","callId":"c","message":"m"}}`))
		if err != nil || !ev.HasChange() || webhooktest.ChangeCount(ev) != 1 {
			t.Errorf("%s: %s, %v; want one change", typ, webhooktest.Dump(ev), err)
		}
		checkStages(t, ev)
	}
}
