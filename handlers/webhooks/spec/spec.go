// Package spec is the shape of one entry in the provider registry
// (handlers/webhooks): a provider's name, decoder and secret. It is a leaf
// package, so that each provider's package (videosdk, daily, iotum) can
// describe itself without importing the registry that lists it.
//
// Nothing here knows HTTP: a delivery reaches a Verifier as its raw body, a
// header lookup and its arrival time.
package spec

import (
	"time"

	"github.com/meetboard/meetboard/models"
)

// PathPrefix is where every provider's webhook route lives: a provider
// named n is served at PathPrefix + n.
const PathPrefix = "/webhooks/"

// Provider describes one provider's webhook. A provider's package returns
// its Provider from a function (videosdk.Spec and the others), so there is
// no shared value anyone could change.
type Provider struct {
	// Name is the provider as stored in the event log (models.Delivery's
	// Provider), labelled in metrics and logs, and the last segment of its
	// URL. Lower-case letters, digits and '-' only, since routes match
	// without regard to case.
	Name string
	// Display is the name shown to people, e.g. "VideoSDK".
	Display string
	// Decode reads a delivery's raw body. It is pure (no I/O, same body,
	// same event); the projector calls it again for every stored delivery.
	Decode func(body []byte) (models.Event, error)
	// IsTest, when set, spots a set-up request the provider sends when a
	// webhook is created (Daily's), answered 200 and not stored. It is asked
	// only of bodies that fail verification or decoding.
	IsTest func(body []byte) bool
	// Secret is how deliveries are verified and where the secret is
	// configured.
	Secret Secret
}

// Path is the provider's webhook route: PathPrefix + Name.
func (p Provider) Path() string { return PathPrefix + p.Name }

// Secret is a provider's verification setting: the environment variable
// (and optionally a flag naming a file) the secret is read from, and how
// its text becomes a Verifier. A provider whose secret is not set accepts
// deliveries unverified, and the dashboard warns about it at startup.
type Secret struct {
	// Env is the environment variable that holds the secret's text.
	Env string
	// FileFlag, when set, is a command-line flag (without the '-') naming
	// a file that holds the secret; the file wins over Env. FileEnv is the
	// environment variable the flag defaults to, FileUsage its help text.
	FileFlag, FileEnv, FileUsage string
	// Parse reads the secret's text, trimmed and never empty, into the
	// check each delivery must pass. Its errors say what is wrong with the
	// text without quoting it; the caller adds where the text came from.
	Parse func(text string) (Verifier, error)
}

// Header looks a request header up by name, without regard to case; ""
// when it is absent.
type Header func(name string) string

// Verifier checks one delivery: its raw body exactly as received, its
// headers, and when it arrived (for providers that sign a timestamp). A
// non-nil error rejects the delivery (401), and its text is the answer's,
// so it must not reveal the secret.
type Verifier func(body []byte, header Header, received time.Time) error
