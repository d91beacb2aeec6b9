package views

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/meetboard/meetboard/models"
)

// Hostile values a webhook can carry.
const (
	evilName    = `<script>alert("name")</script><img src=x onerror=alert(1)>`
	evilMeeting = `m"><script>alert("id")</script>`
	jsURL       = "javascript:alert(document.cookie)"
	dataURL     = "data:text/html,<script>alert(1)</script>"
	httpsURL    = "https://cdn.example/hls/a b/index.m3u8?token=x&y=\"z\""
	fileURL     = "https://cdn.example/rec/62d1.mp4"
	keyURL      = "https://cdn.example/rec/62d1.key.enc"
	metaURL     = "https://cdn.example/rec/62d1.meta.json"
	failMessage = "Recording failed: bucket said <AccessDenied>"
)

var (
	now = time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	t0  = now.Add(-42 * time.Minute)
)

func ago(d time.Duration) *time.Time { t := now.Add(-d); return &t }

func lifecycle(status models.Stage, msg string) models.Lifecycle {
	return models.Lifecycle{Status: status, StartingAt: ago(40 * time.Minute), StartedAt: ago(39 * time.Minute), EndedAt: ago(time.Minute), Message: msg}
}

// The representative data: a live room with a hostile participant and a
// stream with every kind of URL, a stale and an ended session, recordings
// that failed and that are encrypted, a call, and raw events.

func sampleRooms() ([]models.Room, []models.SessionRow) {
	rooms := []models.Room{
		{
			Meeting: models.Meeting{Provider: "videosdk", MeetingID: "kx7q-2m9d-p4tz", FirstSeenAt: t0, LastEventAt: now},
			Session: models.Session{SessionID: "s1", Status: models.SessionLive, StartedAt: &t0, FirstSeenAt: t0, LastEventAt: now},
			Present: []models.Participant{
				{ParticipantID: "p1", Name: "Ada Lovelace", Present: true},
				{ParticipantID: "p2", Name: evilName, Present: true},
				{ParticipantID: "p3-no-name", Present: true},
			},
			InRoom:    3,
			Recording: &models.Recording{Kind: models.RecordingMeeting, Lifecycle: lifecycle(models.StageStarted, "")},
			HLS:       &models.Stream{Kind: models.StreamHLS, Lifecycle: lifecycle(models.StagePlayable, ""), PlaybackURL: httpsURL},
		},
		{
			Meeting: models.Meeting{Provider: "videosdk", MeetingID: evilMeeting, FirstSeenAt: t0, LastEventAt: now},
			Session: models.Session{SessionID: "s2", Status: models.SessionLive, FirstSeenAt: t0, LastEventAt: now},
			Present: []models.Participant{{ParticipantID: "p4", Name: "Bea", Present: true}},
			InRoom:  1,
			HLS:     &models.Stream{Kind: models.StreamHLS, Lifecycle: lifecycle(models.StagePlayable, ""), PlaybackURL: jsURL},
		},
	}
	recent := []models.SessionRow{
		{Session: models.Session{SessionID: "s-old", Status: models.SessionEnded, StartedAt: ago(3 * time.Hour), EndedAt: ago(2 * time.Hour), EndReason: "Meeting Ended."}, MeetingID: "ended-1", Participants: 3},
		{Session: models.Session{SessionID: "s-stale", Status: models.SessionStale, StartedAt: ago(20 * time.Hour), LastEventAt: *ago(13 * time.Hour)}, MeetingID: "stale-1", Participants: 1},
	}
	return rooms, recent
}

func failedRecording() models.Recording {
	return models.Recording{ID: 1, Provider: "videosdk", Kind: models.RecordingComposite, ExternalID: "rec-failed",
		Lifecycle: models.Lifecycle{Status: models.StageFailed, StartingAt: ago(10 * time.Minute), EndedAt: ago(9 * time.Minute), Message: failMessage}}
}

func encryptedRecording() models.Recording {
	return models.Recording{ID: 2, Provider: "videosdk", Kind: models.RecordingMeeting, ExternalID: "rec-enc",
		Lifecycle: lifecycle(models.StageStopped, ""), Files: models.JSONList[models.File]{{Path: "/rec/62d1.mp4", URL: fileURL}},
		KeyURL: keyURL, MetaURL: metaURL}
}

func hostileStream() models.Stream {
	return models.Stream{Provider: "videosdk", Kind: models.StreamHLS, ExternalID: "hls-1", Lifecycle: lifecycle(models.StagePlayable, ""),
		PlayableAt: ago(30 * time.Minute), PlaybackURL: httpsURL, LivestreamURL: jsURL, DownstreamURL: dataURL}
}

func sampleDetail() *models.MeetingDetail {
	return &models.MeetingDetail{
		Meeting: models.Meeting{Provider: "videosdk", MeetingID: evilMeeting, FirstSeenAt: t0, LastEventAt: now},
		Sessions: []models.Session{
			{SessionID: "s-stale", Status: models.SessionStale, StartedAt: ago(20 * time.Hour), FirstSeenAt: *ago(20 * time.Hour), LastEventAt: *ago(13 * time.Hour)},
			{SessionID: "s-live", Status: models.SessionLive, StartedAt: &t0, FirstSeenAt: t0, LastEventAt: now},
		},
		Participants: []models.Participant{
			{SessionID: "s-live", ParticipantID: "p1", Name: evilName, Present: true, Attendances: []models.Attendance{
				{JoinedAt: ago(40 * time.Minute), LeftAt: ago(30 * time.Minute), LeaveReason: "user-left"},
				{JoinedAt: ago(20 * time.Minute)},
			}},
		},
		Recordings:     []models.Recording{failedRecording(), encryptedRecording()},
		Streams:        []models.Stream{hostileStream()},
		Transcriptions: []models.Transcription{{Kind: models.KindTranscription, Mode: "realtime", Lifecycle: lifecycle(models.StageStarted, "")}},
		Calls: []models.Call{{CallID: "call-1", Direction: "inbound", From: "+15550100", To: "+15550199", Status: "answered",
			Steps: []models.CallStep{{Step: "call-ringing", ReceivedAt: *ago(5 * time.Minute)}, {Step: "call-answered", Status: "answered", At: ago(4 * time.Minute)}}}},
		Agents: []models.AgentSession{{Kind: models.AgentSessionKind, AgentID: "agent-1", AgentSession: "as-1", Lifecycle: lifecycle(models.StageStarted, "")}},
		Totals: models.MeetingTotals{Sessions: 2, Participants: 1, Recordings: 2, Streams: 1, Transcriptions: 1, Calls: 1, Agents: 1},
		Limit:  100,
	}
}

func sampleEvents() []models.RawEvent {
	return []models.RawEvent{
		{ID: 7, Provider: "videosdk", Type: "participant-joined", ReceivedAt: now, MeetingID: evilMeeting, Outcome: models.OutcomeApplied,
			Body: []byte(`{"webhookType":"participant-joined","data":{"participantName":"</pre><script>alert(1)</script>"}}`)},
		{ID: 6, Provider: "videosdk", Type: "<b>odd</b>", ReceivedAt: now, Outcome: "stored", Repeat: true, Detail: "x: <i>noted</i>", Body: []byte("not json <script>")},
	}
}

type page struct {
	name  string
	meta  Meta
	frags []Fragment
}

// pages are every *Fragments function with the representative data.
func pages() []page {
	rooms, recent := sampleRooms()
	d := sampleDetail()
	list := ListPage{Path: "/x", Filter: "kx", Page: 2, More: true}
	recordings := []models.RecordingRow{{Recording: failedRecording(), MeetingID: "kx7q-2m9d-p4tz"}, {Recording: encryptedRecording(), MeetingID: evilMeeting}}
	streams := []models.StreamRow{{Stream: hostileStream(), MeetingID: evilMeeting}}
	calls := []models.CallRow{{Call: d.Calls[0], MeetingID: evilMeeting}}
	meetings := []models.MeetingSummary{{Meeting: d.Meeting, LiveSessions: d.Sessions[1:], Present: 1}, {Meeting: models.Meeting{Provider: "videosdk", MeetingID: "quiet"}}}
	meta := func(title, live string) Meta {
		return Meta{Title: title, Nav: "/", Filter: "kx", Path: "/", LiveURL: "/live?topic=" + live}
	}
	return []page{
		{"rooms", meta("Live rooms", "rooms"), RoomsFragments(Board{Rooms: models.LiveBoard{Rooms: rooms, Live: len(rooms), Page: 1}, Recent: recent, Filter: "kx", View: ViewCards})},
		{"rooms-empty", meta("Live rooms", "rooms"), RoomsFragments(Board{Rooms: models.LiveBoard{Page: 1}, View: ViewCards})},
		{"meeting", meta("Meeting", "meeting%3Fmeeting%3Dx"), MeetingFragments(d, sampleEvents())},
		{"meeting-empty", meta("Meeting", "meeting%3Fmeeting%3Dy"), MeetingFragments(&models.MeetingDetail{Meeting: models.Meeting{MeetingID: "y"}}, nil)},
		{"meetings", meta("Meetings", "meetings"), MeetingsFragments(meetings, list)},
		{"recordings", meta("Recordings", "recordings"), RecordingsFragments(recordings, list)},
		{"recordings-empty", meta("Recordings", "recordings"), RecordingsFragments(nil, ListPage{Path: "/recordings", Page: 1})},
		{"streams", meta("Streams", "streams"), StreamsFragments(streams, list)},
		{"calls", meta("Calls", "calls"), CallsFragments(calls, list)},
		{"calls-empty", meta("Calls", "calls"), CallsFragments(nil, ListPage{Path: "/calls", Page: 1})},
		{"events", meta("Event log", "events"), EventsFragments(sampleEvents(), EventsPage{Filter: LogFilter{Meeting: "kx"}, Before: 9, More: true})},
		{"events-empty", meta("Event log", "events"), EventsFragments(nil, EventsPage{})},
		{"rooms-more", meta("Live rooms", "rooms%3Fmeeting%3Dkx%26page%3D2"), RoomsFragments(Board{Rooms: roomsLeftOutBoard(2), Recent: recent, Filter: "kx", View: ViewCards})},
		{"rooms-table", meta("Live rooms", "rooms%3Fview%3Dtable"), RoomsFragments(Board{Rooms: models.LiveBoard{Rooms: rooms, Live: len(rooms), Page: 1}, Recent: recent, Filter: "kx", View: ViewTable,
			Counts: models.FleetCounts{Rooms: 2, People: 4, Recordings: 1, Streams: 2, Failures: 3, Stale: 0}})},
	}
}

func render(t *testing.T, f Fragment) string {
	t.Helper()
	b, err := f.Render(context.Background())
	if err != nil {
		t.Fatalf("render %s: %v", f.ID, err)
	}
	return string(b)
}

// parse reads a fragment the way the live socket's receiver does: as
// body content.
func parse(t *testing.T, s string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func renderPage(t *testing.T, p page) (string, *goquery.Document) {
	t.Helper()
	var buf bytes.Buffer
	if err := Page(p.meta, p.frags).Render(context.Background(), &buf); err != nil {
		t.Fatalf("render page %s: %v", p.name, err)
	}
	return buf.String(), parse(t, buf.String())
}

// TestFragmentsHaveOneRootWithTheirID checks each fragment is exactly one
// element carrying its id, so the live socket's out-of-band swap replaces
// exactly it.
func TestFragmentsHaveOneRootWithTheirID(t *testing.T) {
	for _, p := range pages() {
		for _, f := range p.frags {
			out := render(t, f)
			body := parse(t, out).Find("body").Nodes[0]
			var roots []*html.Node
			for n := body.FirstChild; n != nil; n = n.NextSibling {
				switch n.Type {
				case html.ElementNode:
					roots = append(roots, n)
				case html.TextNode:
					if strings.TrimSpace(n.Data) != "" {
						t.Errorf("%s/%s: text %q outside the fragment's element", p.name, f.ID, n.Data)
					}
				case html.CommentNode:
				default:
					t.Errorf("%s/%s: unexpected top-level node %v", p.name, f.ID, n.Type)
				}
			}
			if len(roots) != 1 {
				t.Errorf("%s/%s: %d top-level elements, want 1:\n%s", p.name, f.ID, len(roots), out)
				continue
			}
			if id := attr(roots[0], "id"); id != f.ID {
				t.Errorf("%s/%s: top-level element <%s id=%q>, want id %q", p.name, f.ID, roots[0].Data, id, f.ID)
			}
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestPageHoldsEveryFragmentOnce renders whole pages: every fragment once,
// no id twice, and the page subscribes to its live URL.
func TestPageHoldsEveryFragmentOnce(t *testing.T) {
	for _, p := range pages() {
		out, doc := renderPage(t, p)
		if !strings.HasPrefix(strings.ToLower(out), "<!doctype html>") {
			t.Errorf("%s: not a full document: %.60s", p.name, out)
		}
		for _, f := range p.frags {
			if n := doc.Find("[id]").FilterFunction(func(_ int, s *goquery.Selection) bool { return s.AttrOr("id", "") == f.ID }).Length(); n != 1 {
				t.Errorf("%s: fragment %s appears %d times", p.name, f.ID, n)
			}
		}
		seen := map[string]int{}
		doc.Find("[id]").Each(func(_ int, s *goquery.Selection) { seen[s.AttrOr("id", "")]++ })
		for id, n := range seen {
			if n > 1 {
				t.Errorf("%s: id %q is used %d times", p.name, id, n)
			}
		}
		ws := doc.Find("[ws-connect]")
		if ws.Length() != 1 {
			t.Errorf("%s: %d elements with ws-connect, want 1", p.name, ws.Length())
		} else if got := ws.AttrOr("ws-connect", ""); got != p.meta.LiveURL {
			t.Errorf("%s: ws-connect=%q, want %q", p.name, got, p.meta.LiveURL)
		}
		if ext := ws.AttrOr("hx-ext", ""); ext != "ws" {
			t.Errorf("%s: the ws-connect element has hx-ext=%q, want ws", p.name, ext)
		}
		if doc.Find("#live-status[data-state]").Length() != 1 {
			t.Errorf("%s: no #live-status dot", p.name)
		}
		if got := doc.Find(`form.filter input[name="meeting"]`).AttrOr("value", ""); got != p.meta.Filter {
			t.Errorf("%s: filter input value %q, want %q", p.name, got, p.meta.Filter)
		}
	}
}

// TestHostileTextIsEscaped checks names, ids and bodies from webhooks
// cannot create elements: no script, no img, and the text reads as sent.
func TestHostileTextIsEscaped(t *testing.T) {
	for _, p := range pages() {
		out, doc := renderPage(t, p)
		// The layout's own scripts are the only ones, and all load by src.
		doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			if _, ok := s.Attr("src"); !ok || s.Closest("head").Length() == 0 {
				t.Errorf("%s: a script element was created: %s", p.name, goquery.NodeName(s))
			}
		})
		if n := doc.Find("main img, main b, main i").Length(); n != 0 {
			t.Errorf("%s: %d elements created from webhook text", p.name, n)
		}
		if strings.Contains(out, "<script>alert") || strings.Contains(out, "<img src=x") {
			t.Errorf("%s: raw markup from a webhook is in the HTML", p.name)
		}
		doc.Find("[onerror], [onload], [onclick]").Each(func(_ int, s *goquery.Selection) {
			t.Errorf("%s: element with an event handler attribute: %s", p.name, goquery.NodeName(s))
		})
	}

	_, rooms := renderPage(t, pages()[0])
	chips := rooms.Find("li.chip").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if !containsString(chips, evilName) {
		t.Errorf("the hostile name is not shown as text; chips: %q", chips)
	}
	if !containsString(chips, "p3-no-name") {
		t.Errorf("a participant without a name should show its id; chips: %q", chips)
	}
	card := rooms.Find("article.room").FilterFunction(func(_ int, s *goquery.Selection) bool { return s.AttrOr("data-meeting", "") == evilMeeting })
	if card.Length() != 1 {
		t.Fatalf("no card for meeting %s", evilMeeting)
	}
	if got := strings.TrimSpace(card.Find(".room-head a").Text()); got != evilMeeting {
		t.Errorf("meeting link text %q, want %q", got, evilMeeting)
	}
	if href := card.Find(".room-head a").AttrOr("href", ""); !strings.HasPrefix(href, "/meetings/") || strings.ContainsAny(href, `"<> `) {
		t.Errorf("meeting link href %q is not an escaped path", href)
	}

	_, meeting := renderPage(t, pages()[2])
	if got := strings.TrimSpace(meeting.Find("#meeting-participants td").First().Text()); got != evilName {
		t.Errorf("participant table name %q, want %q", got, evilName)
	}
	if got := meeting.Find("#meeting-timeline pre").First().Text(); !strings.Contains(got, "</pre><script>alert(1)</script>") {
		t.Errorf("event body not shown as text: %q", got)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestURLs checks only http(s) URLs from webhooks become links, which open
// in a new tab without an opener and come with a copy button.
func TestURLs(t *testing.T) {
	for _, p := range pages() {
		_, doc := renderPage(t, p)
		doc.Find("a").Each(func(_ int, a *goquery.Selection) {
			href := strings.ToLower(strings.TrimSpace(a.AttrOr("href", "")))
			if strings.HasPrefix(href, "javascript:") || strings.HasPrefix(href, "data:") || strings.HasPrefix(href, "vbscript:") {
				t.Errorf("%s: link with href %q", p.name, a.AttrOr("href", ""))
			}
		})
	}
	for _, name := range []string{"streams", "meeting"} {
		var p page
		for _, q := range pages() {
			if q.name == name {
				p = q
			}
		}
		_, doc := renderPage(t, p)
		root := doc.Find("#streams-list, #meeting-streams")
		text := root.Text()
		for _, raw := range []string{jsURL, dataURL} {
			if !strings.Contains(text, raw) {
				t.Errorf("%s: %s is not shown as text", name, raw)
			}
			if root.Find("a").FilterFunction(func(_ int, a *goquery.Selection) bool { return a.AttrOr("href", "") == raw }).Length() != 0 {
				t.Errorf("%s: %s became a link", name, raw)
			}
			if root.Find("button.copy").FilterFunction(func(_ int, b *goquery.Selection) bool { return b.AttrOr("data-copy", "") == raw }).Length() != 0 {
				t.Errorf("%s: %s got a copy button", name, raw)
			}
		}
		checkExtLink(t, name, root, httpsURL)
	}
	_, rooms := renderPage(t, pages()[0])
	checkExtLink(t, "rooms", rooms.Find(`[data-meeting="kx7q-2m9d-p4tz"]`), httpsURL)
}

// checkExtLink checks root has a.ext for raw, opening in a new tab with
// rel "noopener noreferrer", and a copy button for it.
func checkExtLink(t *testing.T, where string, root *goquery.Selection, raw string) {
	t.Helper()
	links := root.Find("a.ext").FilterFunction(func(_ int, a *goquery.Selection) bool { return a.AttrOr("href", "") == raw })
	if links.Length() != 1 {
		t.Errorf("%s: %d a.ext with href %q, want 1", where, links.Length(), raw)
		return
	}
	if got := links.AttrOr("target", ""); got != "_blank" {
		t.Errorf("%s: link target %q, want _blank", where, got)
	}
	if got := links.AttrOr("rel", ""); got != "noopener noreferrer" {
		t.Errorf("%s: link rel %q, want noopener noreferrer", where, got)
	}
	copies := root.Find("button.copy").FilterFunction(func(_ int, b *goquery.Selection) bool { return b.AttrOr("data-copy", "") == raw })
	if copies.Length() != 1 {
		t.Errorf("%s: %d copy buttons for %q, want 1", where, copies.Length(), raw)
	}
	if typ := copies.AttrOr("type", ""); typ != "button" {
		t.Errorf("%s: copy button type %q, want button (not a form submit)", where, typ)
	}
}

// TestRecordingStates checks a failed recording's stepper and message,
// and an encrypted recording's key and meta links, on the meeting page and
// the recordings list.
func TestRecordingStates(t *testing.T) {
	for _, name := range []string{"meeting", "recordings"} {
		var p page
		for _, q := range pages() {
			if q.name == name {
				p = q
			}
		}
		_, doc := renderPage(t, p)
		root := doc.Find("#meeting-recordings, #recordings-list")
		var failed, encrypted *goquery.Selection
		root.Find(".job, tbody tr").Each(func(_ int, s *goquery.Selection) {
			switch {
			case strings.Contains(s.Text(), "rec-failed") || strings.Contains(s.Text(), failMessage):
				failed = s
			case s.Find("a[href]").Length() > 0 && strings.Contains(s.Text(), "62d1.mp4"):
				encrypted = s
			}
		})
		if failed == nil || encrypted == nil {
			t.Fatalf("%s: failed or encrypted recording not found:\n%s", name, root.Text())
		}
		if failed.Find("ol.stages li.failed").Length() != 1 {
			t.Errorf("%s: the failed recording's stepper has no li.failed", name)
		}
		if got := strings.TrimSpace(failed.Find("ol.stages li.failed").Contents().First().Text()); got != "failed" {
			t.Errorf("%s: failed step reads %q", name, got)
		}
		if got := strings.TrimSpace(failed.Find(".error").Text()); got != failMessage {
			t.Errorf("%s: failure message in .error is %q, want %q", name, got, failMessage)
		}
		if failed.Find(".badge.st-failed").Length() == 0 {
			t.Errorf("%s: the failed recording has no st-failed badge", name)
		}
		for label, raw := range map[string]string{"key": keyURL, "meta": metaURL, "62d1.mp4": fileURL} {
			a := encrypted.Find("a.ext").FilterFunction(func(_ int, a *goquery.Selection) bool { return a.AttrOr("href", "") == raw })
			if a.Length() != 1 {
				t.Errorf("%s: encrypted recording has no %s link to %s", name, label, raw)
			} else if got := strings.TrimSpace(a.Text()); got != label {
				t.Errorf("%s: link to %s reads %q, want %q", name, raw, got, label)
			}
		}
		if encrypted.Find(".error").Length() != 0 {
			t.Errorf("%s: a stopped recording shows an error", name)
		}
	}
}

// TestStaleSession checks a session gone silent is shown as stale, on the
// meeting page and among the recently ended.
func TestStaleSession(t *testing.T) {
	_, meeting := renderPage(t, pages()[2])
	row := meeting.Find("#meeting-sessions tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "s-stale")
	})
	if row.Find(".badge.st-stale").Length() != 1 || strings.TrimSpace(row.Find(".badge.st-stale").Text()) != "stale" {
		t.Errorf("the stale session has no stale badge: %s", row.Text())
	}
	_, rooms := renderPage(t, pages()[0])
	recent := rooms.Find("#rooms-recent tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "stale-1")
	})
	if recent.Find(".badge.st-stale").Length() != 1 {
		t.Errorf("the stale session among the recently ended has no stale badge: %s", recent.Text())
	}
	if rooms.Find("#rooms-recent .badge.st-ended").Length() != 1 {
		t.Errorf("the ended session has no ended badge")
	}
}

// TestMeetingTruncated checks that a meeting page read with a limit counts
// every row and says when its lists leave some out.
func TestMeetingTruncated(t *testing.T) {
	d := sampleDetail()
	summary := parse(t, render(t, MeetingFragments(d, nil)[0]))
	if got := summary.Find("#meeting-summary p.muted").First().Text(); !strings.Contains(got, "2 sessions · 1 participant") {
		t.Errorf("summary counts %q", got)
	}
	if summary.Find("#meeting-truncated").Length() != 0 {
		t.Errorf("a meeting with every row shown says some are left out")
	}
	d.Totals.Participants = 250
	d.Limit = 1
	summary = parse(t, render(t, MeetingFragments(d, nil)[0]))
	note := summary.Find("#meeting-truncated")
	if !strings.Contains(summary.Text(), "250 participants") || !strings.Contains(note.Text(), "newest 1.") {
		t.Errorf("truncated summary: %q", summary.Text())
	}
	want := "/api/meetings/" + url.PathEscape(evilMeeting) + "?provider=videosdk"
	if href, _ := note.Find("a").Attr("href"); href != want {
		t.Errorf("link to the whole meeting %q, want %q", href, want)
	}
}

// TestCrowdedRoomCard checks that a crowded room's card names the people
// it was given and links to the meeting for the rest, with the count exact.
func TestCrowdedRoomCard(t *testing.T) {
	rooms, _ := sampleRooms()
	r := rooms[0]
	r.Present, r.InRoom = nil, 1234
	for i := range models.RoomPeople {
		r.Present = append(r.Present, models.Participant{ParticipantID: fmt.Sprint("p", i), Name: fmt.Sprint("Person ", i), Present: true})
	}
	doc := parse(t, render(t, Fragment{ID: roomID(r), Component: roomCard(r)}))
	if got := doc.Find("li.chip").Not(".more").Length(); got != 50 {
		t.Errorf("%d people named, want 50", got)
	}
	more := doc.Find("li.more a")
	if more.Text() != "+1184 more" || more.AttrOr("href", "") != "/meetings/kx7q-2m9d-p4tz" {
		t.Errorf("the rest: %q linking to %q", more.Text(), more.AttrOr("href", ""))
	}
	if !strings.Contains(doc.Find(".room-meta").Text(), "1234 in the room") {
		t.Errorf("count: %q", doc.Find(".room-meta").Text())
	}
}

// TestLiveRoomCard spot-checks a room card: its people, its jobs and its
// elapsed time the script keeps counting.
func TestLiveRoomCard(t *testing.T) {
	_, doc := renderPage(t, pages()[0])
	card := doc.Find(`[data-meeting="kx7q-2m9d-p4tz"]`)
	if got := card.Find("li.chip").Length(); got != 3 {
		t.Errorf("%d chips, want 3", got)
	}
	since := card.Find("time[data-since]")
	// The server writes the start; the script turns it into a ticking
	// elapsed time. It never depends on the server's clock, so the fragment
	// is only re-sent when something in it changes.
	if since.AttrOr("data-since", "") != t0.Format(time.RFC3339) || strings.TrimSpace(since.Text()) != "since "+t0.Format("2006-01-02 15:04:05")+" UTC" {
		t.Errorf("elapsed time: data-since=%q text=%q", since.AttrOr("data-since", ""), since.Text())
	}
	for _, want := range []string{"recording: started", "HLS: playable", "livestream: none"} {
		found := false
		card.Find(".badge").Each(func(_ int, s *goquery.Selection) {
			if strings.Join(strings.Fields(s.Text()), " ") == want {
				found = true
			}
		})
		if !found {
			t.Errorf("no badge %q in the card", want)
		}
	}
	if n := doc.Find("#rooms-live article.room").Length(); n != 2 {
		t.Errorf("%d room cards, want 2", n)
	}
	empty := parse(t, render(t, RoomsFragments(Board{Rooms: models.LiveBoard{Page: 1}, View: ViewCards})[1]))
	if empty.Find(".empty").Length() != 1 {
		t.Errorf("no empty state without live rooms")
	}
}

// roomsLeftOutBoard is a page of a board of 523 live rooms that shows the
// two sample rooms, with 500 more recently active rooms on page 1.
func roomsLeftOutBoard(page int) models.LiveBoard {
	rooms, _ := sampleRooms()
	b := models.LiveBoard{Rooms: rooms, Live: 523, Page: page, Before: 500 * (page - 1)}
	b.After = b.Live - b.Before - len(rooms)
	return b
}

// TestLiveRoomsLeftOut checks the live-rooms board counts every live room,
// not the ones it shows, and that a page leaving rooms out says how many
// and links to the pages that hold them.
func TestLiveRoomsLeftOut(t *testing.T) {
	board := func(b models.LiveBoard, filter string) *goquery.Document {
		t.Helper()
		var out strings.Builder
		for _, f := range RoomsFragments(Board{Rooms: b, Filter: filter, View: ViewCards})[1:3] {
			out.WriteString(render(t, f))
		}
		return parse(t, out.String())
	}
	link := func(doc *goquery.Document, rel string) (string, string) {
		a := doc.Find(`#rooms-summary #rooms-more a[rel="` + rel + `"]`)
		return strings.TrimSpace(a.Text()), a.AttrOr("href", "")
	}
	heading := func(doc *goquery.Document) string {
		return strings.Join(strings.Fields(doc.Find("#rooms-summary h2").Text()), " ")
	}

	// The first page of 523 live rooms.
	first := roomsLeftOutBoard(1)
	doc := board(first, "kx")
	if got := heading(doc); got != "Live now (523)" {
		t.Errorf("heading %q, want the count of every live room", got)
	}
	if text, href := link(doc, "next"); text != "521 more live rooms →" || href != "/?meeting=kx&page=2" {
		t.Errorf("link to the rooms left out: %q to %q", text, href)
	}
	if text, _ := link(doc, "prev"); text != "" {
		t.Errorf("the first page links to more recently active rooms: %q", text)
	}
	if got := doc.Find("#rooms-more span").Text(); got != "The 2 most recently active of 523 live rooms" {
		t.Errorf("range %q", got)
	}
	if n := doc.Find("#rooms-live article.room").Length(); n != 2 {
		t.Errorf("%d room cards, want 2", n)
	}

	// A middle page links both ways; the filter stays in the links.
	doc = board(roomsLeftOutBoard(2), "a&b c")
	if text, href := link(doc, "prev"); text != "← 500 more recently active" || href != "/?meeting=a%26b+c" {
		t.Errorf("link back: %q to %q", text, href)
	}
	if text, href := link(doc, "next"); text != "21 more live rooms →" || href != "/?meeting=a%26b+c&page=3" {
		t.Errorf("link on: %q to %q", text, href)
	}
	if got := doc.Find("#rooms-more span").Text(); got != "Live rooms 501–502 of 523, by latest activity" {
		t.Errorf("range %q", got)
	}

	// A page past the end is not "no meeting is live".
	doc = board(models.LiveBoard{Live: 523, Page: 9, Before: 523}, "")
	if doc.Find(".empty:not([hidden])").Length() != 0 || heading(doc) != "Live now (523)" {
		t.Errorf("a page past the end: %q", doc.Find("#rooms-summary").Text())
	}
	if text, href := link(doc, "prev"); text != "← 523 more recently active" || href != "/" {
		t.Errorf("link back from past the end: %q to %q", text, href)
	}

	// All rooms on one page: no note.
	all := first
	all.Live, all.After = len(all.Rooms), 0
	if doc = board(all, "kx"); doc.Find("#rooms-more").Length() != 0 || heading(doc) != "Live now (2)" {
		t.Errorf("a board showing every live room: note %q, heading %q", doc.Find("#rooms-more").Text(), heading(doc))
	}

	// The count and the note are a fragment of their own: the rooms' set
	// keeps its frame, so the live push does not send every card again.
	more := first
	more.Live, more.After = first.Live+1, first.After+1
	a, b := RoomsFragments(Board{Rooms: first, View: ViewCards}), RoomsFragments(Board{Rooms: more, View: ViewCards})
	if a[2].ID != "rooms-live" || a[2].Shape != b[2].Shape || a[2].Set == nil {
		t.Errorf("the rooms' set changes its frame with the number of rooms left out")
	}
	if render(t, a[1]) == render(t, b[1]) {
		t.Errorf("the heading does not change with the number of rooms left out")
	}
}
