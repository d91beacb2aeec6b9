package models

import (
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
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
	InstanceID    string        `json:"instanceId,omitempty"`
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
	UpdatedAt    time.Time `gorm:"autoUpdateTime:false" json:"updatedAt"`
}

// touch moves the Recording row's UpdatedAt forward to at (see touched).
func (r *Recording) touch(at time.Time) { r.UpdatedAt = later(r.UpdatedAt, at) }

// applyRecording moves a recording through its lifecycle and adds the files
// and links the event carries. Stage times are the provider's where the
// event gives them, else the arrival time. A recording some events name by instance id
// and others by recording id is one recording: an event with both joins the
// row made by either. It also reports whether the recording moved to
// failed.
func applyRecording(tx *gorm.DB, m *Meeting, provider, sessionID string, ch *RecordingChange, at time.Time) (bool, bool, error) {
	// The stage time is the provider's when it gives one; the row's first
	// seen and updated times stay those of arrival.
	stageAt, src := stageTime(ch.At, at)
	// The last merge is the one written: an insert that found the row
	// merges again into the stored one.
	failed := false
	merge := func(r *Recording) {
		fillRef(&r.MeetingRef, m)
		fill(&r.ExternalID, ch.ExternalID)
		fill(&r.InstanceID, ch.InstanceID)
		fill(&r.SessionID, sessionID)
		fill(&r.ParticipantID, ch.ParticipantID)
		fill(&r.TrackKind, ch.TrackKind)
		fill(&r.FileFormat, ch.FileFormat)
		fill(&r.KeyURL, ch.KeyURL)
		fill(&r.MetaURL, ch.MetaURL)
		fill(&r.Participants, ch.Participants)
		r.Files = mergeFiles(r.Files, ch.Files)
		failed = r.Advance(ch.Stage, stageAt, src, ch.Message) && ch.Stage == StageFailed
		if ch.StartedAt != nil {
			r.setStageTime(StageStarted, *ch.StartedAt, TimeFromPayload)
		}
		fillTime(&r.FirstSeenAt, at)
	}
	byInstance := "instance/" + ch.InstanceID
	key := ch.Key
	if key == "" {
		if ch.InstanceID == "" {
			return false, false, nil
		}
		// Known by instance only: the row of any event that had both ids.
		var found []Recording
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("provider = ? AND kind = ? AND instance_id = ?", provider, ch.Kind, ch.InstanceID).Order("id").Limit(1).Find(&found).Error
		if err != nil {
			return false, false, err
		}
		if len(found) > 0 {
			changed, err := mergeAndSave(tx, &found[0], at, merge)
			return changed, failed, err
		}
		key = byInstance
	}
	r, changed, err := upsertRow(tx, Recording{Provider: provider, Kind: ch.Kind, RecordingKey: key},
		[]string{"provider", "kind", "recording_key"}, at, merge)
	if err != nil || ch.Key == "" || ch.InstanceID == "" {
		return changed, failed, err
	}
	// An earlier event knew this recording by its instance only. A failure
	// it takes from that record was counted when that record failed.
	var early []Recording
	if err := tx.Where("provider = ? AND kind = ? AND recording_key = ?", provider, ch.Kind, byInstance).Find(&early).Error; err != nil || len(early) == 0 {
		return changed, failed, err
	}
	r.absorb(early[0])
	r.touch(at)
	if err := tx.Delete(&early[0]).Error; err != nil {
		return false, false, err
	}
	return true, failed, tx.Omit(clause.Associations).Save(&r).Error
}

// absorb takes into r what another record of the same recording knows.
func (r *Recording) absorb(o Recording) {
	if r.MeetingRef == nil {
		r.MeetingRef = o.MeetingRef
	}
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&r.ExternalID, o.ExternalID}, {&r.InstanceID, o.InstanceID}, {&r.SessionID, o.SessionID},
		{&r.ParticipantID, o.ParticipantID}, {&r.TrackKind, o.TrackKind}, {&r.FileFormat, o.FileFormat},
		{&r.KeyURL, o.KeyURL}, {&r.MetaURL, o.MetaURL}, {&r.Participants, o.Participants},
	} {
		fill(f.dst, f.src)
	}
	r.Files = mergeFiles(r.Files, o.Files)
	r.Lifecycle.absorb(o.Lifecycle)
	if o.FirstSeenAt.Before(r.FirstSeenAt) {
		r.FirstSeenAt = o.FirstSeenAt
	}
	r.touch(o.UpdatedAt)
}
