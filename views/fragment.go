// Package views holds the dashboard's templ components. Every part of a page
// that changes live is a Fragment with a stable element id: the full page
// and the websocket push render the same fragments, so they cannot drift
// apart.
package views

import (
	"bytes"
	"context"

	"github.com/a-h/templ"
)

// Fragment is a live-updating part of a page: a component whose top-level
// element carries ID.
type Fragment struct {
	ID        string
	Component templ.Component
	// Parts are fragments inside this one, each with an element id of its
	// own. While Shape stays the same, the live push sends only the parts
	// whose HTML changed instead of the whole fragment.
	Parts []Fragment
	// Shape sums up everything the fragment shows besides its parts'
	// insides: which parts, in which order, and any text around them. A
	// fragment with parts must change its Shape whenever that changes.
	// With a Set, Shape leaves the parts out: only their frame counts.
	Shape string
	// Set, when not nil, makes Parts a set the live push adds to and
	// removes from one part at a time, instead of sending the whole
	// fragment when its parts change.
	Set *PartSet
}

// PartSet says how the live push adds a part to a fragment, changes one
// and takes one away. Parts new or changed are appended to a holding
// element, several in one wrapper, and the page's script puts each in its
// place (see static/fleet.js): it replaces the part of the same id, or
// shows a new one when the operator is not reading. The script orders the
// parts, so the push does not keep their order.
type PartSet struct {
	// Into is the id of the holding element, and Wrap the tag of the
	// element that carries parts there (a div; htmx appends the wrapper's
	// children).
	Into, Wrap string
	// Gone is what the push sends for a part that left the set: a small
	// fragment with an id inside the part, so the part is marked and not
	// removed while someone may be reading it.
	Gone func(partID string) templ.Component
}

// Render writes the fragment's HTML.
func (f Fragment) Render(ctx context.Context) ([]byte, error) {
	var buf bytes.Buffer
	err := f.Component.Render(ctx, &buf)
	return buf.Bytes(), err
}

// Meta describes a page around its fragments.
type Meta struct {
	// Title is the page's heading and document title.
	Title string
	// Nav is the path of the navigation entry to mark as current.
	Nav string
	// Filter is the meeting id or prefix the page is filtered by; Path is
	// where the filter form submits (empty for pages without a filter).
	Filter string
	Path   string
	// Status is the status the page's list is filtered by, one of
	// Statuses: the values its status filter offers (none for a page
	// without one).
	Status   string
	Statuses []string
	// FilterForm, when set, is the page's own filter form, shown instead
	// of the meeting and status filter.
	FilterForm templ.Component
	// LiveURL is the websocket the page subscribes to for updates.
	LiveURL string
	// Operator is who is signed in, and CSRF the token their sign-out form
	// sends back; both empty when the dashboard runs without accounts.
	Operator string
	CSRF     string
	// Query is the text of the search box in the header (the search page's
	// own).
	Query string
	// Problems counts the problems of the last hour for the navigation (up
	// to 100; 0 or less shows none).
	Problems int
	// Export is the CSV of the page's list as filtered, linked beside the
	// filter ("" for a page with none).
	Export string
}

// navItems are the top navigation's entries.
var navItems = []struct{ Path, Label string }{
	{"/", "Live rooms"},
	{"/meetings", "Meetings"},
	{"/recordings", "Recordings"},
	{"/streams", "Streams"},
	{"/calls", "Calls"},
	{"/events", "Events"},
	{"/charts", "Charts"},
	{"/problems", "Problems"},
	{"/alerts", "Alerts"},
	{"/providers", "Providers"},
}

// NavPaths lists the top navigation's paths, in order.
func NavPaths() []string {
	out := make([]string, len(navItems))
	for i, item := range navItems {
		out[i] = item.Path
	}
	return out
}
