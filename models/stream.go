package models

import (
	"time"

	"gorm.io/gorm"
)

// StreamKind tells HLS from RTMP livestreams.
type StreamKind string

// Stream kinds.
const (
	StreamHLS        StreamKind = "hls"
	StreamLivestream StreamKind = "livestream"
	// StreamBroadcast is a broadcast of a conference to its audience.
	StreamBroadcast StreamKind = "broadcast"
)

// Stream is an HLS stream or a livestream of a meeting.
type Stream struct {
	ID         uint       `gorm:"primaryKey" json:"-"`
	MeetingRef *uint      `json:"-"`
	Provider   string     `json:"provider"`
	Kind       StreamKind `json:"kind"`
	StreamKey  string     `json:"-"`
	ExternalID string     `json:"id,omitempty"`
	SessionID  string     `json:"sessionId,omitempty"`
	Lifecycle  `gorm:"embedded"`
	// PlayableAt is when an HLS stream became playable.
	PlayableAt *time.Time `json:"playableAt,omitempty"`
	// PlaybackURL is the HLS URL with playback support, LivestreamURL the
	// one without; DownstreamURL is the deprecated older name.
	PlaybackURL   string `json:"playbackHlsUrl,omitempty"`
	LivestreamURL string `json:"livestreamUrl,omitempty"`
	DownstreamURL string `json:"downstreamUrl,omitempty"`
	// PreviewURL and PreviewImageURL are the newest preview of the stream
	// (a short video and an image), made at PreviewAt.
	PreviewURL      string     `json:"previewUrl,omitempty"`
	PreviewImageURL string     `json:"previewImageUrl,omitempty"`
	PreviewAt       *time.Time `json:"previewAt,omitempty"`
	FirstSeenAt     time.Time  `json:"firstSeenAt"`
	UpdatedAt       time.Time  `gorm:"autoUpdateTime:false" json:"updatedAt"`
}

// touch moves the Stream row's UpdatedAt forward to at (see touched).
func (s *Stream) touch(at time.Time) { s.UpdatedAt = later(s.UpdatedAt, at) }

// applyStream moves a stream through its lifecycle and fills in its URLs.
// Stage times are the provider's where the event gives them, else the
// arrival time. It also reports whether the stream moved to failed.
func applyStream(tx *gorm.DB, m *Meeting, provider, sessionID string, ch *StreamChange, at time.Time) (bool, bool, error) {
	key := Stream{Provider: provider, Kind: ch.Kind, StreamKey: ch.Key}
	failed := false // as the last merge, the one written, found it
	_, changed, err := upsertRow(tx, key, []string{"provider", "kind", "stream_key"}, at, func(s *Stream) {
		fillRef(&s.MeetingRef, m)
		fill(&s.ExternalID, ch.ExternalID)
		fill(&s.SessionID, sessionID)
		fill(&s.PlaybackURL, ch.PlaybackURL)
		fill(&s.LivestreamURL, ch.LivestreamURL)
		fill(&s.DownstreamURL, ch.DownstreamURL)
		stageAt, src := stageTime(ch.At, at)
		failed = s.Advance(ch.Stage, stageAt, src, ch.Message) && ch.Stage == StageFailed
		if ch.Stage == StagePlayable {
			s.stamp(&s.PlayableAt, stageBit(StagePlayable.Rank()), stageAt, src)
		}
		s.preview(ch, stageAt)
		fillTime(&s.FirstSeenAt, at)
	})
	return changed, failed, err
}

// preview takes the preview a change carries, made at at, when it is no
// older than the one the stream has: previews are replaced, not filled in.
func (s *Stream) preview(ch *StreamChange, at time.Time) {
	if ch.PreviewURL == "" && ch.PreviewImageURL == "" || s.PreviewAt != nil && at.Before(*s.PreviewAt) {
		return
	}
	t := at
	s.PreviewURL, s.PreviewImageURL, s.PreviewAt = ch.PreviewURL, ch.PreviewImageURL, &t
}
