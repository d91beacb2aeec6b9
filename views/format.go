package views

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/meetboard/meetboard/models"
)

// stamp formats a time for a datetime attribute (UTC, RFC 3339).
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// clock is the text shown for a time before the script localizes it.
func clock(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// since is the text shown for an elapsed time before the script ticks it.
func since(t time.Time, now time.Time) string { return span(now.Sub(t)) }

// span formats a duration compactly: 42s, 12m 03s, 1h 04m.
func span(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

// linkable reports whether a URL from a webhook may be a link: only
// absolute http and https URLs are; anything else is shown as text.
func linkable(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// meetingPath is the dashboard page of a meeting.
func meetingPath(id string) string { return "/meetings/" + url.PathEscape(id) }

// stateClass is the CSS class of a status badge.
func stateClass(status string) string {
	if status == "" {
		return "badge st-none"
	}
	return "badge st-" + strings.ToLower(status)
}

// stageStep is one step of a lifecycle stepper.
type stageStep struct {
	Name  string
	At    *time.Time
	Class string
	// For is how long the job stayed in this stage, when known.
	For string
}

// stages lays a lifecycle out as the steps it went through: starting,
// started (with playable for HLS), stopping, and its end.
func stages(l models.Lifecycle, playable *time.Time) []stageStep {
	steps := []stageStep{
		{Name: "starting", At: l.StartingAt},
		{Name: "started", At: l.StartedAt},
	}
	if playable != nil || l.Status == models.StagePlayable {
		steps = append(steps, stageStep{Name: "playable", At: playable})
	}
	end := string(l.Status)
	if !l.Status.Terminal() {
		end = "stopped"
	}
	steps = append(steps, stageStep{Name: "stopping", At: l.StoppingAt}, stageStep{Name: end, At: l.EndedAt})
	current := -1
	for i, s := range steps {
		if s.Name == string(l.Status) {
			current = i
		}
	}
	for i := range steps {
		switch {
		case i == current && (l.Status == models.StageFailed || l.Status == models.StageCancelled):
			steps[i].Class = "failed"
		case i == current:
			steps[i].Class = "current"
		case i < current || steps[i].At != nil:
			steps[i].Class = "done"
		}
		if steps[i].At != nil {
			for j := i + 1; j < len(steps); j++ {
				if steps[j].At != nil {
					steps[i].For = span(steps[j].At.Sub(*steps[i].At))
					break
				}
			}
		}
	}
	return steps
}

// duration is how long an attendance lasted, or "" when unknown.
func duration(a models.Attendance) string {
	if a.JoinedAt == nil || a.LeftAt == nil {
		return ""
	}
	return span(a.LeftAt.Sub(*a.JoinedAt))
}

// names lists participants' names (or ids) for a room card.
func displayName(p models.Participant) string {
	if p.Name != "" {
		return p.Name
	}
	return p.ParticipantID
}

func pageLink(path, filter string, page int) string {
	v := url.Values{}
	if filter != "" {
		v.Set("meeting", filter)
	}
	if page > 1 {
		v.Set("page", fmt.Sprint(page))
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// fileLabel names a recording's file link.
func fileLabel(i int, f models.File) string {
	name := f.Path
	if name == "" {
		name = f.URL
	}
	if j := strings.LastIndexByte(name, '/'); j >= 0 && j < len(name)-1 {
		name = name[j+1:]
	}
	if name == "" {
		name = fmt.Sprintf("file %d", i+1)
	}
	return name
}

// sessionStart is when a session began: the provider's start time, or when
// its first event arrived.
func sessionStart(s models.Session) time.Time {
	if s.StartedAt != nil {
		return *s.StartedAt
	}
	return s.FirstSeenAt
}

// sessionEnd is when a session ended, or when it was last heard of if it
// went stale.
func sessionEnd(s models.Session) *time.Time {
	if s.EndedAt != nil {
		return s.EndedAt
	}
	t := s.LastEventAt
	return &t
}

// jobStatus is the status of a room's job, "" when it has none.
func jobStatus(j any) string {
	switch x := j.(type) {
	case *models.Recording:
		if x != nil {
			return string(x.Status)
		}
	case *models.Stream:
		if x != nil {
			return string(x.Status)
		}
	case *models.Transcription:
		if x != nil {
			return string(x.Status)
		}
	case *models.AgentSession:
		if x != nil {
			return string(x.Status)
		}
	}
	return ""
}

// latestSession is a meeting's most recent session.
func latestSession(ss []models.Session) *models.Session {
	if len(ss) == 0 {
		return nil
	}
	return &ss[len(ss)-1]
}

// messageClass shows a failure's message as an error.
func messageClass(l models.Lifecycle) string {
	if l.Status == models.StageFailed || l.Status == models.StageCancelled {
		return "error"
	}
	return "muted"
}

func streamLabel(k models.StreamKind) string {
	if k == models.StreamHLS {
		return "HLS"
	}
	return "livestream"
}

// callRows pairs a meeting's calls with its id, for the calls table.
func callRows(d *models.MeetingDetail) []models.CallRow {
	rows := make([]models.CallRow, len(d.Calls))
	for i, c := range d.Calls {
		rows[i] = models.CallRow{Call: c, MeetingID: d.Meeting.MeetingID}
	}
	return rows
}

func filteredBy(filter string) string {
	if filter == "" {
		return ""
	}
	return " for meeting " + filter
}

// stepTime is when a call step happened: the provider's time, else when it
// arrived.
func stepTime(s models.CallStep) *time.Time {
	if s.At != nil {
		return s.At
	}
	return &s.ReceivedAt
}

func outcomeClass(o string) string {
	switch o {
	case models.OutcomeError:
		return "badge st-failed"
	case models.OutcomeApplied:
		return "badge st-started"
	}
	return "badge st-none"
}

// prettyBody indents a JSON body for reading; anything else is shown as is.
func prettyBody(b []byte) string {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return string(b)
	}
	return out.String()
}

// eventsOlder links to the page of events older than the last shown.
func eventsOlder(filter string, events []models.RawEvent) string {
	v := url.Values{}
	if filter != "" {
		v.Set("meeting", filter)
	}
	v.Set("before", fmt.Sprint(events[len(events)-1].ID))
	return "/events?" + v.Encode()
}
