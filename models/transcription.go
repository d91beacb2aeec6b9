package models

import (
	"time"

	"gorm.io/gorm"
)

// TranscriptionKind tells transcriptions from translations.
type TranscriptionKind string

// Transcription kinds.
const (
	KindTranscription TranscriptionKind = "transcription"
	KindTranslation   TranscriptionKind = "translation"
)

// Transcription is a transcription or translation job of a meeting.
type Transcription struct {
	ID               uint              `gorm:"primaryKey" json:"-"`
	MeetingRef       *uint             `json:"-"`
	Provider         string            `json:"provider"`
	Kind             TranscriptionKind `json:"kind"`
	TranscriptionKey string            `json:"-"`
	ExternalID       string            `json:"id,omitempty"`
	SessionID        string            `json:"sessionId,omitempty"`
	// Mode is "realtime" or "post".
	Mode      string `json:"mode,omitempty"`
	Lifecycle `gorm:"embedded"`
	// Files are where the transcript is written.
	Files       JSONList[File] `json:"files"`
	FirstSeenAt time.Time      `json:"firstSeenAt"`
	UpdatedAt   time.Time      `gorm:"autoUpdateTime:false" json:"updatedAt"`
}

// touch moves the Transcription row's UpdatedAt forward to at (see touched).
func (t *Transcription) touch(at time.Time) { t.UpdatedAt = later(t.UpdatedAt, at) }

// applyTranscription moves a transcription or translation through its
// lifecycle. Stage times are the provider's where the event gives them,
// else the arrival time. It also reports whether it moved to failed.
func applyTranscription(tx *gorm.DB, m *Meeting, provider, sessionID string, ch *TranscriptionChange, at time.Time) (bool, bool, error) {
	key := Transcription{Provider: provider, Kind: ch.Kind, TranscriptionKey: ch.Key}
	failed := false // as the last merge, the one written, found it
	_, changed, err := upsertRow(tx, key, []string{"provider", "kind", "transcription_key"}, at, func(t *Transcription) {
		fillRef(&t.MeetingRef, m)
		fill(&t.ExternalID, ch.Key)
		fill(&t.SessionID, sessionID)
		fill(&t.Mode, ch.Mode)
		t.Files = mergeFiles(t.Files, ch.Files)
		stageAt, src := stageTime(ch.At, at)
		failed = t.Advance(ch.Stage, stageAt, src, ch.Message) && ch.Stage == StageFailed
		if ch.StartedAt != nil {
			t.setStageTime(StageStarted, *ch.StartedAt, TimeFromPayload)
		}
		fillTime(&t.FirstSeenAt, at)
	})
	return changed, failed, err
}
