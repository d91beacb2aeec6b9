package main

import (
	"fmt"
	"strings"
	"time"
)

// Webhook bodies: the shapes VideoSDK documents, and ids that look like
// VideoSDK's.

// webhook is one VideoSDK delivery body.
type webhook struct {
	Type string `json:"webhookType"`
	Data any    `json:"data"`
}

// Payload shapes, key for key as in VideoSDK's v2 documentation.
type (
	sessionStartedData struct {
		SessionID string `json:"sessionId"`
		MeetingID string `json:"meetingId"`
		Start     string `json:"start"`
	}
	sessionEndedData struct {
		SessionID string  `json:"sessionId"`
		MeetingID string  `json:"meetingId"`
		Start     string  `json:"start"`
		End       string  `json:"end"`
		Error     *string `json:"error"` // always null: no session closes on an error here
		Reason    string  `json:"reason"`
	}
	participantData struct {
		MeetingID       string `json:"meetingId"`
		SessionID       string `json:"sessionId"`
		ParticipantID   string `json:"participantId"`
		ParticipantName string `json:"participantName"`
		Reason          string `json:"reason,omitempty"`
	}
	recordingData struct {
		MeetingID  string          `json:"meetingId"`
		SessionID  string          `json:"sessionId"`
		ID         string          `json:"id"`
		Message    string          `json:"message,omitempty"`
		FilePath   string          `json:"filePath,omitempty"`
		FileURL    string          `json:"fileUrl,omitempty"`
		Encryption *encryptionData `json:"encryption,omitempty"`
	}
	encryptionData struct {
		KeyURL  string `json:"keyUrl"`
		MetaURL string `json:"metaUrl"`
	}
	streamData struct {
		MeetingID      string `json:"meetingId"`
		SessionID      string `json:"sessionId"`
		ID             string `json:"id"`
		PlaybackHLSURL string `json:"playbackHlsUrl,omitempty"`
		LivestreamURL  string `json:"livestreamUrl,omitempty"`
		Message        string `json:"message,omitempty"`
	}
	transcriptionData struct {
		ID        string `json:"id"`
		Type      string `json:"type"`
		MeetingID string `json:"meetingId"`
		SessionID string `json:"sessionId"`
	}
	trackData struct {
		MeetingID     string       `json:"meetingId"`
		SessionID     string       `json:"sessionId"`
		ParticipantID string       `json:"participantId"`
		Kind          string       `json:"kind"`
		FileFormat    string       `json:"fileFormat,omitempty"`
		FileDetails   []fileDetail `json:"fileDetails,omitempty"`
	}
	fileDetail struct {
		FilePath string `json:"filePath"`
		FileURL  string `json:"fileUrl"`
	}
	// agentData's members are all optional: each stage sends its own set.
	agentData struct {
		DeploymentID string `json:"deploymentId,omitempty"`
		SessionID    string `json:"sessionId,omitempty"`
		VersionID    string `json:"versionId,omitempty"`
		MeetingID    string `json:"meetingId,omitempty"`
		AgentID      string `json:"agentId,omitempty"`
	}
	callData struct {
		CallID            string   `json:"callId"`
		RoomID            string   `json:"roomId"`
		Type              string   `json:"type"`
		To                string   `json:"to"`
		From              string   `json:"from"`
		MetaData          struct{} `json:"metaData"`
		GatewayID         string   `json:"gatewayId"`
		Status            string   `json:"status"`
		Timestamp         string   `json:"timestamp"`
		AdditionalDetails struct{} `json:"additionalDetails"`
		RuleID            string   `json:"ruleId"`
	}
)

// stamp formats a time the way VideoSDK does: 2022-07-05T15:55:35.047+00:00.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-07:00") }

var failMessages = map[jobKind][]string{
	kindRecording: {
		"Recording failed to start: no media received within 30s",
		"Upload to storage failed: access denied",
		"Composer crashed while recording",
	},
	kindHLS: {
		"HLS composer failed to start",
		"Playlist upload failed",
		"HLS stream stalled: no segments for 30s",
	},
	kindLivestream: {
		"RTMP connection refused by rtmp://a.rtmp.youtube.com/live2",
		"Stream key rejected by rtmps://live-api-s.facebook.com:443/rtmp/",
		"Livestream interrupted: RTMP server closed the connection",
	},
}

// IDs.

func (w *world) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[w.rng.IntN(len(digits))]
	}
	return string(b)
}

func (w *world) alnum(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[w.rng.IntN(len(chars))]
	}
	return string(b)
}

func (w *world) uuid() string {
	h := w.hex(32)
	variant := "89ab"[w.rng.IntN(4)]
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string(variant) + h[17:20] + "-" + h[20:32]
}

func (w *world) phone() string {
	return fmt.Sprintf("+1%03d555%04d", 200+w.rng.IntN(800), w.rng.IntN(10000))
}

func (w *world) payload(r *room, j *job, stage string) any {
	message := ""
	if msgs := failMessages[j.kind]; stage == "failed" && len(msgs) > 0 {
		message = w.pick(msgs)
	}
	switch j.kind {
	case kindRecording:
		d := recordingData{MeetingID: r.meetingID, SessionID: r.sessionID, ID: j.id, Message: message}
		if stage == "stopped" {
			d.FilePath = "/encoded/videos/" + j.fileID + ".mp4"
			d.FileURL = "https://cdn.videosdk.live" + d.FilePath
			if j.encrypted {
				base := "https://cdn.videosdk.live/encoded/videos/" + j.fileID
				d.Encryption = &encryptionData{KeyURL: base + ".key.enc", MetaURL: base + ".meta.json"}
			}
		}
		return d
	case kindHLS, kindLivestream:
		d := streamData{MeetingID: r.meetingID, SessionID: r.sessionID, ID: j.id, Message: message}
		if j.kind == kindHLS && (stage == "started" || stage == "playable") {
			base := "https://cdn.videosdk.live/meetings-hls/" + j.hlsPath
			d.PlaybackHLSURL = base + "/index.m3u8"
			if stage == "playable" {
				d.LivestreamURL = base + "/livestream.m3u8"
			}
		}
		return d
	case kindTranscription:
		return transcriptionData{ID: j.id, Type: "realtime", MeetingID: r.meetingID, SessionID: r.sessionID}
	case kindTrack:
		d := trackData{MeetingID: r.meetingID, SessionID: r.sessionID, ParticipantID: j.p.id, Kind: j.track}
		switch stage {
		case "starting", "started", "stopping":
			d.FileFormat = j.format
		case "stopped":
			path := "/encoded/videos/" + w.hex(24) + "." + j.format
			d.FileDetails = []fileDetail{{FilePath: path, FileURL: "https://cdn.videosdk.live" + path}}
		}
		return d
	case kindAgent:
		a := j.agent
		switch stage {
		case "starting":
			return agentData{DeploymentID: a.deploymentID, VersionID: a.versionID, MeetingID: r.meetingID, AgentID: a.agentID}
		case "started":
			return agentData{DeploymentID: a.deploymentID, SessionID: j.id, VersionID: a.versionID, MeetingID: r.meetingID, AgentID: a.agentID}
		case "failed":
			return agentData{MeetingID: r.meetingID, VersionID: a.versionID, AgentID: a.agentID}
		}
		return agentData{SessionID: j.id, AgentID: a.agentID, DeploymentID: a.deploymentID, VersionID: a.versionID}
	case kindCall:
		c := j.call
		return callData{CallID: j.id, RoomID: r.meetingID, Type: c.direction, To: c.to, From: c.from, GatewayID: c.gateway,
			Status: strings.ToUpper(stage), Timestamp: stamp(time.Now()), RuleID: c.rule}
	}
	panic(fmt.Sprintf("unknown job kind %d", j.kind))
}
