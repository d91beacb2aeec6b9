package handlers

import (
	"fmt"
	"testing"

	"github.com/meetboard/meetboard/models"
)

// TestProviderTopics: the providers pages' topics drop what the pages
// ignore, take only a provider name's form, and are rendered again at any
// change, refusals (changes to no meeting) included.
func TestProviderTopics(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"providers?meeting=ab&page=3&before=2&provider=daily", "providers"},
		{"provider?provider=daily&page=2&meeting=x", "provider?provider=daily"},
		{"provider?provider=no-such-1", "provider?provider=no-such-1"},
	} {
		got, err := parseTopic(c.in)
		if err != nil || got.String() != c.want {
			t.Errorf("%s: topic %q (%v), want %q", c.in, got.String(), err, c.want)
			continue
		}
		if again, _ := parseTopic(got.String()); again != got {
			t.Errorf("%s: the name does not read back to the same topic", c.in)
		}
		if !got.affectedBy(nil, true) || !got.affectedBy(map[string]bool{"m": true}, false) || got.affectedBy(nil, false) {
			t.Errorf("%s: not rendered again at every change", c.in)
		}
	}
	for _, bad := range []string{"provider", "provider?provider=Daily", "provider?provider=%3Cscript%3E", "provider?provider=a%20b"} {
		if got, err := parseTopic(bad); err == nil {
			t.Errorf("%s: topic %q, want an error", bad, got)
		}
	}
}

// TestRefusalKinds: every refusal kind has the status and /metrics outcome
// its answers carry, and the answers the error handler gives a webhook
// (before any route runs) are recorded under the kind of their status.
func TestRefusalKinds(t *testing.T) {
	var got []string
	for _, kind := range models.RefusalKinds() {
		got = append(got, fmt.Sprintf("%s %d %s", kind, refusalStatus(kind), refusalOutcome(kind)))
	}
	want := "[bad-signature 401 rejected malformed 400 malformed too-large 413 too-large unsupported-encoding 415 malformed " +
		"rate-limited 429 rate-limited unavailable 503 unavailable busy 503 unavailable]"
	if fmt.Sprint(got) != want {
		t.Errorf("kinds %v\nwant %s", got, want)
	}
	for _, status := range []int{400, 413, 415, 503} {
		if kind := bodyRefusal(status); refusalStatus(kind) != status || bodyOutcome(status) != refusalOutcome(kind) {
			t.Errorf("status %d: kind %q, outcome %q", status, kind, bodyOutcome(status))
		}
	}
	if bodyRefusal(405) != "" || bodyOutcome(404) != "" {
		t.Error("an answer that is no delivery's is recorded as a refusal")
	}
}
