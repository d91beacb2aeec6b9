package models

import "time"

// Delivery is one webhook request as received: the raw body that is kept in
// the event log, and the normalized event decoded from it.
type Delivery struct {
	// Provider names the sender, for example "videosdk".
	Provider string
	// Body is the raw request body, stored byte for byte.
	Body []byte
	// ReceivedAt is when the request arrived; it stands in for event times
	// that the payload does not carry.
	ReceivedAt time.Time
	// Event is what the decoder made of Body.
	Event Event
}

// Event is a provider's webhook in provider-neutral form. Type keeps the
// provider's own name; at most one of the change pointers is set, and none
// for event types that only belong in the log (unknown types included).
type Event struct {
	// Type is the provider's event type, for example "recording-stopped".
	Type string
	// ProviderEventID is the provider's unique id for the delivery, when it
	// has one; deliveries with an id already stored are duplicates.
	ProviderEventID string
	// MeetingID is the provider's meeting (room) id, empty when the event
	// belongs to no meeting.
	MeetingID string
	// MeetingURL is the address people join the meeting at, when the event
	// gives it (iotum's meeting_url).
	MeetingURL string
	// SessionID is the provider's id of one run of the meeting. When it is
	// empty, a participant change goes to the meeting's current session:
	// the live one, or the one that just ended, or else a placeholder that
	// takes the provider's id once an event names the session.
	SessionID string
	// Problems lists what the decoder could not read (an unparseable time,
	// a field of the wrong type); the event is kept all the same and the
	// problems are noted in the event log. The store adds one when an id is
	// over MaxIDLength bytes.
	Problems []string

	Session       *SessionChange
	Participant   *ParticipantChange
	Recording     *RecordingChange
	Stream        *StreamChange
	Transcription *TranscriptionChange
	Call          *CallChange
	Agent         *AgentChange
	BatchCall     *BatchCallChange
	Resource      *ResourceChange
	KnowledgeBase *KnowledgeBaseChange
}

// TimeSource tells which time an event's change was placed at.
type TimeSource string

// The time sources. Where a payload has a time for what it reports, that
// time wins over the arrival.
const (
	// TimeFromPayload: the provider's time for what the event reports, read
	// from its body.
	TimeFromPayload TimeSource = "payload"
	// TimeFromArrival: the body gives no readable time for it (none at all,
	// or one the decoder noted as unreadable), so the delivery's arrival
	// stands in.
	TimeFromArrival TimeSource = "arrival"
)

// TimeSource reports which time the event's change is placed at: the
// payload's when the change carries the provider's time for what it reports
// (a session's start or end, a join or leave, the stage a job reached, a
// call step), else the arrival's. Agent, batch call, resource and knowledge
// base events carry no time, so theirs is always the arrival. It is "" for
// an event with no change.
func (e Event) TimeSource() TimeSource {
	var given bool
	switch {
	case e.Session != nil:
		given = e.Session.Start != nil
		if e.Session.Ended {
			given = e.Session.End != nil
		}
	case e.Participant != nil:
		given = e.Participant.At != nil
	case e.Recording != nil:
		given = e.Recording.At != nil
	case e.Stream != nil:
		given = e.Stream.At != nil
	case e.Transcription != nil:
		given = e.Transcription.At != nil
	case e.Call != nil:
		given = e.Call.At != nil
	case !e.HasChange():
		return ""
	}
	if given {
		return TimeFromPayload
	}
	return TimeFromArrival
}

// Note is how the event log says which time an event was placed at.
func (t TimeSource) Note() string {
	switch t {
	case TimeFromPayload:
		return "time from the payload"
	case TimeFromArrival:
		return "time of arrival: the payload gives no readable time"
	}
	return ""
}

// SessionChange starts or ends a meeting session.
type SessionChange struct {
	Ended bool
	// Start and End are the times the payload gives; nil when absent or
	// unparseable.
	Start *time.Time
	End   *time.Time
	// EndAtArrival is set when the payload gives an end that cannot be
	// read: the session then ends at the delivery's arrival time.
	EndAtArrival bool
	// Reason is the close reason; Error the provider's error object as JSON.
	Reason string
	Error  string
}

// ParticipantChange records a participant joining or leaving a session, or
// (with Update) a change to their name or role alone.
type ParticipantChange struct {
	ParticipantID string
	Name          string
	Left          bool
	Update        bool
	// Reason is why the participant left, when known.
	Reason string
	// Role is the participant's role (organizer, moderator, owner...), when
	// the provider gives one.
	Role string
	// At is when the join or leave happened by the provider's clock; nil
	// to use the time the delivery arrived.
	At *time.Time
	// JoinedAt is, on a leave, when the stay that ended began by the
	// provider's clock (nil when the payload does not say). It gives a
	// leave whose join was never received its join time.
	JoinedAt *time.Time
}

// RecordingChange moves a recording through its lifecycle.
type RecordingChange struct {
	Kind RecordingKind
	// Key identifies the recording among those of its kind: the provider's
	// id where the event carries one, else a key built from the session,
	// participant and track. It may be empty when InstanceID is set.
	Key        string
	ExternalID string
	// InstanceID is a second id some providers name a recording by (Daily's
	// instance_id): events with either id fold into one recording.
	InstanceID    string
	ParticipantID string
	TrackKind     string
	FileFormat    string
	Stage         Stage
	Files         []File
	KeyURL        string
	MetaURL       string
	Message       string
	// Participants is the composited participants list as JSON.
	Participants string
	// At is when the recording reached Stage by the provider's clock; nil
	// to use the time the delivery arrived.
	At *time.Time
	// StartedAt is when the recording started, as a later stage's payload
	// gives it; it fills in a start time that is missing (when the started
	// event was lost), and never replaces one.
	StartedAt *time.Time
}

// StreamChange moves an HLS stream or a livestream through its lifecycle.
type StreamChange struct {
	Kind          StreamKind
	Key           string
	ExternalID    string
	Stage         Stage
	PlaybackURL   string
	LivestreamURL string
	DownstreamURL string
	// PreviewURL and PreviewImageURL locate a preview of the stream (a
	// short video and an image), as of At; an event that carries a preview
	// and no Stage reports only that.
	PreviewURL      string
	PreviewImageURL string
	Message         string
	// At is when the stream reached Stage (or its preview was made) by the
	// provider's clock; nil to use the time the delivery arrived.
	At *time.Time
}

// TranscriptionChange moves a transcription or translation through its
// lifecycle.
type TranscriptionChange struct {
	Kind    TranscriptionKind
	Key     string
	Mode    string
	Stage   Stage
	Message string
	// Files are where the transcript is written.
	Files []File
	// At is when the job reached Stage by the provider's clock; nil to use
	// the time the delivery arrived.
	At *time.Time
	// StartedAt is when the job started, as a later stage's payload gives
	// it; it fills in a missing start time and never replaces one.
	StartedAt *time.Time
}

// CallChange adds a step to a SIP or dial-in/out call.
type CallChange struct {
	CallID    string
	RoomID    string
	Direction string
	From      string
	To        string
	GatewayID string
	RuleID    string
	// Step is the event type that produced the status, Status the
	// provider's status word.
	Step   string
	Status string
	// At is the step's time from the payload (nil when absent or
	// unparseable); AtText is the raw value, used to tell repeated steps
	// apart.
	At                *time.Time
	AtText            string
	MetaData          string
	AdditionalDetails string
	// Detail is the step's error or warning message, or other notes.
	Detail string
}

// AgentChange moves an AI agent session through its lifecycle.
type AgentChange struct {
	Kind         AgentKind
	AgentSession string
	AgentID      string
	DeploymentID string
	VersionID    string
	Stage        Stage
	Message      string
}

// BatchCallChange moves a batch call campaign through its lifecycle.
type BatchCallChange struct {
	BatchID string
	Name    string
	Stage   Stage
}

// ResourceChange records a media composer resource being acquired or
// released.
type ResourceChange struct {
	ResourceID   string
	ComposerType string
	Stage        Stage
}

// KnowledgeBaseChange moves a knowledge base record through processing.
type KnowledgeBaseChange struct {
	KnowledgeBaseID string
	RecordID        string
	MetaData        string
	Stage           Stage
	Message         string
}
