package models

import "time"

// Outcomes of a delivery: the answer's (accepted, duplicate), and, in the
// event log, what applying it did.
const (
	// OutcomeAccepted: the answer to a delivery whose event log row has
	// committed; the models take it in behind (see Store.Project).
	OutcomeAccepted = "accepted"
	// OutcomePending: in the event log, a delivery not applied yet.
	OutcomePending = "pending"
	// OutcomeApplied: the event changed the models.
	OutcomeApplied = "applied"
	// OutcomeNoChange: the event was valid but the models already held
	// everything it says (a repeat, or a late earlier stage).
	OutcomeNoChange = "no-change"
	// OutcomeStored: kept in the log only: an event type with no model
	// (unknown types included), or an event with an id over MaxIDLength
	// bytes (the problem is noted in Detail).
	OutcomeStored = "stored"
	// OutcomeDuplicate: the provider's event id was seen before; the
	// delivery was not applied again.
	OutcomeDuplicate = "duplicate"
	// OutcomeError: applying failed; the raw event is kept so the models can
	// be rebuilt once the cause is fixed.
	OutcomeError = "error"
)

// RawEvent is one delivery as received: the event log, the source of truth
// the models are folded in from and can be rebuilt from.
type RawEvent struct {
	ID         uint64    `gorm:"primaryKey" json:"id"`
	Provider   string    `json:"provider"`
	Type       string    `json:"type"`
	ReceivedAt time.Time `json:"receivedAt"`
	// MeetingID is indexed: an id over MaxIDLength bytes is kept as its
	// first MaxIDLength bytes (the body has it whole).
	MeetingID string `json:"meetingId,omitempty"`
	SessionID string `json:"sessionId,omitempty"`
	// ProviderEventID is indexed, and unique per provider: an id over
	// MaxIDLength bytes is kept as "sha256:" and the hex SHA-256 of the id.
	ProviderEventID *string `json:"providerEventId,omitempty"`
	// Hash is the hex SHA-256 of Body.
	Hash string `json:"hash"`
	Body []byte `json:"-"`
	// Outcome is what applying the event did (the event_outcomes table),
	// OutcomePending until the projector has applied it.
	Outcome string `gorm:"->" json:"outcome"`
	// Repeat marks a body identical to one received shortly before: most
	// likely a redelivery.
	Repeat bool `gorm:"column:repeated" json:"repeat"`
	// Detail is what decoding or applying it noted: the projector's notes
	// once it has applied the event, the receiving decoder's before.
	Detail string `json:"detail,omitempty"`
}
