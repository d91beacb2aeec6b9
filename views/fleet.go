package views

import (
	"net/url"
	"strconv"

	"github.com/meetboard/meetboard/models"
)

// The live-rooms board's views: a card per room, or a compact table row.
const (
	ViewCards = "cards"
	ViewTable = "table"
)

// roomsNew is the hidden element the live push appends new rooms to; the
// page's script moves them onto the board when the operator is not
// reading it, or asks first (static/fleet.js).
const roomsNew = "rooms-new"

// Board is what the live-rooms page shows.
type Board struct {
	// Rooms is the page of live rooms.
	Rooms models.LiveBoard
	// Recent are the sessions that ended most recently.
	Recent []models.SessionRow
	// Counts are the fleet's counters, over every live room.
	Counts models.FleetCounts
	// Charts are the last hour's, for the strip under the counters; nil
	// for no strip.
	Charts *models.Charts
	// Filter is the page's meeting filter, kept in its links.
	Filter string
	// View is ViewCards or ViewTable.
	View string
	// HiddenLive and HiddenRecent count, when the filter leaves the live
	// rooms or the recently ended sessions empty, those with no filter
	// (models.CountAll).
	HiddenLive, HiddenRecent int
}

// viewLink is the board in another view, with the same filter and page.
func viewLink(b Board, view string) string {
	v := url.Values{}
	if b.Filter != "" {
		v.Set("meeting", b.Filter)
	}
	if b.Rooms.Page > 1 {
		v.Set("page", strconv.Itoa(b.Rooms.Page))
	}
	v.Set("view", view)
	return "/?" + v.Encode()
}

// roomProblem is something that went wrong in a live room.
type roomProblem struct {
	Label string
	// Detail is the provider's message, if any.
	Detail string
}

// roomProblems are a live room's failed jobs.
func roomProblems(r models.Room) []roomProblem {
	var out []roomProblem
	for _, j := range []struct {
		name string
		l    *models.Lifecycle
	}{
		{"recording", lifecycleOf(r.Recording)},
		{"HLS", lifecycleOf(r.HLS)},
		{"livestream", lifecycleOf(r.Livestream)},
		{"transcription", lifecycleOf(r.Transcription)},
		{"agent", lifecycleOf(r.Agent)},
	} {
		if j.l != nil && (j.l.Status == models.StageFailed || j.l.Status == models.StageCancelled) {
			out = append(out, roomProblem{Label: j.name + " " + string(j.l.Status), Detail: clip(j.l.Message, 300)})
		}
	}
	return out
}

// lifecycleOf is a room's job's lifecycle, nil when it has none.
func lifecycleOf(j any) *models.Lifecycle {
	switch x := j.(type) {
	case *models.Recording:
		if x != nil {
			return &x.Lifecycle
		}
	case *models.Stream:
		if x != nil {
			return &x.Lifecycle
		}
	case *models.Transcription:
		if x != nil {
			return &x.Lifecycle
		}
	case *models.AgentSession:
		if x != nil {
			return &x.Lifecycle
		}
	}
	return nil
}

// clip shortens s to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// countShown writes a counter's number; a capped one reads "99+" past
// models.FailureCountCap.
func countShown(n int, capped bool) string {
	if capped && n > models.FailureCountCap {
		return strconv.Itoa(models.FailureCountCap) + "+"
	}
	return strconv.Itoa(n)
}
