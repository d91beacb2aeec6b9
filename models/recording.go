package models

import (
	"time"

	"gorm.io/gorm"
)

// RecordingKind tells what a recording captures.
type RecordingKind string

// Recording kinds.
const (
	RecordingMeeting          RecordingKind = "meeting"
	RecordingComposite        RecordingKind = "composite"
	RecordingParticipant      RecordingKind = "participant"
	RecordingParticipantTrack RecordingKind = "participant-track"
	RecordingMerge            RecordingKind = "merge"
	RecordingCompositeMerge   RecordingKind = "composite-merge"
)

// Recording is a recording job of any kind and its output files.
type Recording struct {
	ID            uint          `gorm:"primaryKey" json:"-"`
	MeetingRef    *uint         `json:"-"`
	Provider      string        `json:"provider"`
	Kind          RecordingKind `json:"kind"`
	RecordingKey  string        `json:"-"`
	ExternalID    string        `json:"id,omitempty"`
	SessionID     string        `json:"sessionId,omitempty"`
	ParticipantID string        `json:"participantId,omitempty"`
	// TrackKind is "audio" or "video" for participant track recordings.
	TrackKind  string `json:"trackKind,omitempty"`
	FileFormat string `json:"fileFormat,omitempty"`
	Lifecycle  `gorm:"embedded"`
	Files      JSONList[File] `json:"files"`
	// KeyURL and MetaURL locate the encryption key and metadata of an
	// encrypted recording.
	KeyURL  string `json:"keyUrl,omitempty"`
	MetaURL string `json:"metaUrl,omitempty"`
	// Participants lists the composited participants (JSON), for composite
	// recordings.
	Participants string    `json:"participants,omitempty"`
	FirstSeenAt  time.Time `json:"firstSeenAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

// applyRecording moves a recording through its lifecycle and adds the files
// and links the event carries.
func applyRecording(tx *gorm.DB, m *Meeting, provider, sessionID string, ch *RecordingChange, at time.Time) (bool, error) {
	key := Recording{Provider: provider, Kind: ch.Kind, RecordingKey: ch.Key}
	_, changed, err := upsertRow(tx, key, []string{"provider", "kind", "recording_key"}, func(r *Recording) {
		fillRef(&r.MeetingRef, m)
		fill(&r.ExternalID, ch.ExternalID)
		fill(&r.SessionID, sessionID)
		fill(&r.ParticipantID, ch.ParticipantID)
		fill(&r.TrackKind, ch.TrackKind)
		fill(&r.FileFormat, ch.FileFormat)
		fill(&r.KeyURL, ch.KeyURL)
		fill(&r.MetaURL, ch.MetaURL)
		fill(&r.Participants, ch.Participants)
		r.Files = mergeFiles(r.Files, ch.Files)
		r.Advance(ch.Stage, at, ch.Message)
		fillTime(&r.FirstSeenAt, at)
	})
	return changed, err
}

// mergeFiles adds the files not yet listed, keeping the order they came in.
// It returns a new list, never changing the old one.
func mergeFiles(have JSONList[File], add []File) JSONList[File] {
	out := have
	for _, f := range add {
		if f == (File{}) {
			continue
		}
		known := false
		for _, h := range out {
			if h == f {
				known = true
				break
			}
		}
		if !known {
			out = append(out[:len(out):len(out)], f)
		}
	}
	return out
}
