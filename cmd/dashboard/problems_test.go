package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models/dbtest"
)

// apiProblem is a row of /api/problems.
type apiProblem struct {
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"`
	What      string    `json:"what"`
	MeetingID string    `json:"meetingId"`
	Reason    string    `json:"reason"`
	Link      string    `json:"link"`
}

// problems reads a page of /api/problems.
func (s *server) problems(t *testing.T, query string) ([]apiProblem, string) {
	t.Helper()
	r := s.do(t, "GET", "/api/problems"+query, nil, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/problems%s: %d %s", query, r.Status, r.Raw)
	}
	var page struct {
		Problems []apiProblem `json:"problems"`
		Next     string       `json:"next"`
	}
	if err := json.Unmarshal([]byte(r.Raw), &page); err != nil {
		t.Fatal(err)
	}
	return page.Problems, page.Next
}

// problemHooks are webhooks that go wrong in each way the problems view
// shows, each in a meeting of its own, among some that go right.
func problemHooks() [][]byte {
	person := func(typ, meeting, id string) []byte {
		return videosdkHook(typ, map[string]any{"meetingId": meeting, "sessionId": "s-" + meeting, "participantId": id, "participantName": "Name " + id, "reason": "user-left"})
	}
	return [][]byte{
		jobHook("recording-stopped", "ok-rec", "r0"),
		jobHook("recording-failed", "p-rec", "r1"),
		jobHook("composite-merge-failed", "p-merge", "r2"),
		jobHook("hls-failed", "p-hls", "h1"),
		jobHook("transcription-failed", "p-trans", "t1"),
		videosdkHook("agent-session-failed", map[string]any{"meetingId": "p-agent", "agentId": "ag-1", "message": "agent crashed"}),
		callHook("call-missed", "ok-call", "c0", "MISSED"),
		callHook("call-transfer-failed", "p-call", "c1", "TRANSFER_FAILED"),
		person("participant-joined", "p-noleave", "a"),
		person("participant-joined", "p-noleave", "b"),
		person("participant-left", "p-noleave", "b"),
		jobHook("session-ended", "p-noleave", "e1"),
		jobHook("session-started", "p-stale", "st"),
	}
}

// problemKinds are the meeting and kind of each problem problemHooks make.
var problemKinds = map[string]string{
	"p-rec":     "recording-failed",
	"p-merge":   "recording-failed",
	"p-hls":     "stream-failed",
	"p-trans":   "transcription-failed",
	"p-agent":   "agent-failed",
	"p-call":    "call-failed",
	"p-noleave": "no-leave",
	"p-stale":   "stale-room",
}

// TestProblemsView posts webhooks that go wrong in each way and reads
// /api/problems and /problems: each kind with its meeting, reason and a
// link to the part of the meeting's page that shows it, newest first,
// paged by a cursor, in the navigation with the last hour's count.
func TestProblemsView(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dbURL string) {
		// Every room is silent past a millisecond, so the one that never
		// ends turns stale as soon as it is read.
		s := start(t, map[string]string{"DATABASE_URL": dbURL}, "-stale-after", "1ms")
		s.mustPost(t, problemHooks()...)

		all, next := s.problems(t, "?meeting=p-&limit=500")
		if next != "" {
			t.Errorf("a whole list has a next page: %q", next)
		}
		found := map[string]apiProblem{}
		for i, p := range all {
			if i > 0 && p.At.After(all[i-1].At) {
				t.Errorf("problem %d (%s %s) is newer than the one before it", i, p.Kind, p.MeetingID)
			}
			if p.Kind == problemKinds[p.MeetingID] {
				found[p.MeetingID] = p
			} else if p.Kind != "stale-room" {
				// Every job's session is a room that went stale too.
				t.Errorf("unexpected problem %+v", p)
			}
		}
		for meeting, kind := range problemKinds {
			p, ok := found[meeting]
			if !ok {
				t.Errorf("no %s problem for %s in %+v", kind, meeting, all)
				continue
			}
			if p.Reason == "" || !strings.HasPrefix(p.Link, "/meetings/"+meeting+"#meeting-") {
				t.Errorf("%s: reason %q, link %q", meeting, p.Reason, p.Link)
			}
			// The link's anchor is a part of the meeting's page.
			u, _ := url.Parse(p.Link)
			if resp, page := get(t, http.DefaultClient, s.URL+u.Path, nil); resp.StatusCode != 200 || !strings.Contains(page, `id="`+u.Fragment+`"`) {
				t.Errorf("%s links to %s, which has no element %q", meeting, p.Link, u.Fragment)
			}
		}
		for meeting, want := range map[string]string{
			"p-rec":     "reason of r1",
			"p-call":    "call-transfer-failed: TRANSFER_FAILED",
			"p-agent":   "agent crashed",
			"p-noleave": "1 person still in the room, whose leave never came: Name a",
		} {
			if got := found[meeting].Reason; !strings.Contains(got, want) {
				t.Errorf("%s: reason %q, want %q", meeting, got, want)
			}
		}
		for _, ok := range []string{"ok-rec", "ok-call"} {
			rows, _ := s.problems(t, "?meeting="+ok)
			for _, p := range rows {
				if p.Kind != "stale-room" {
					t.Errorf("%s went right, yet: %+v", ok, p)
				}
			}
		}

		// Pages of 3 through a cursor give the same list.
		var paged []apiProblem
		query := "?meeting=p-&limit=3"
		for range 20 {
			rows, next := s.problems(t, query)
			paged = append(paged, rows...)
			if next == "" {
				break
			}
			query = "?meeting=p-&limit=3&before=" + url.QueryEscape(next)
		}
		if len(paged) != len(all) {
			t.Errorf("pages of 3 hold %d problems, the whole list %d", len(paged), len(all))
		}
		for i := range min(len(paged), len(all)) {
			if paged[i] != all[i] {
				t.Errorf("paged problem %d: %+v, want %+v", i, paged[i], all[i])
			}
		}
		if r := s.do(t, "GET", "/api/problems?before=yesterday", nil, nil); r.Status != http.StatusBadRequest {
			t.Errorf("a bad cursor: %d %s", r.Status, r.Raw)
		}
		if r := s.do(t, "GET", "/api/problems?limit=-1", nil, nil); r.Status != http.StatusBadRequest {
			t.Errorf("a bad limit: %d %s", r.Status, r.Raw)
		}

		// The page shows the same rows, and the navigation counts them.
		resp, page := get(t, http.DefaultClient, s.URL+"/problems?meeting=p-", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/problems: %d", resp.StatusCode)
		}
		for meeting := range problemKinds {
			if !strings.Contains(page, `href="/meetings/`+meeting+`#meeting-`) {
				t.Errorf("/problems has no link into %s's page", meeting)
			}
		}
		for _, want := range []string{`aria-current="page">Problems<span class="nav-count"`, "in the last hour for meeting p-.",
			"reason of r1", "call-transfer-failed: TRANSFER_FAILED", `ws-connect="/live?topic=problems%3Fmeeting%3Dp-"`} {
			if !strings.Contains(page, want) {
				t.Errorf("/problems lacks %s", want)
			}
		}
		if _, other := get(t, http.DefaultClient, s.URL+"/meetings", nil); !strings.Contains(other, `Problems<span class="nav-count"`) {
			t.Error("the navigation of other pages does not count the problems")
		}
		if resp, _ := get(t, http.DefaultClient, s.URL+"/problems?before=yesterday", nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("/problems with a bad cursor: %d", resp.StatusCode)
		}
		// A page from a cursor links back to the newest.
		_, next = s.problems(t, "?meeting=p-&limit=3")
		if _, older := get(t, http.DefaultClient, s.URL+"/problems?meeting=p-&before="+url.QueryEscape(next), nil); !strings.Contains(older, "← Newest") {
			t.Errorf("a page from a cursor has no link to the newest")
		}
	})
}

// TestProblemsLive: a live problems page receives a new failure over the
// websocket, and a filtered one only its meetings'.
func TestProblemsLive(t *testing.T) {
	s := start(t, tempDBEnv(t))
	all := s.subscribe(t, "problems", nil, false)
	if snap := all.next(t); !strings.Contains(snap, `id="problems-list"`) || !strings.Contains(snap, "No problem.") {
		t.Fatalf("snapshot of an empty problems page: %s", snap)
	}
	filtered := s.subscribe(t, "problems?meeting=beta", nil, false)
	filtered.next(t)

	s.mustPost(t, jobHook("recording-started", "alpha-1", "r1"))
	s.mustPost(t, jobHook("recording-failed", "alpha-1", "r1"))
	msg := all.until(t, "reason of r1")
	if !strings.Contains(msg, `href="/meetings/alpha-1#meeting-recordings"`) || !strings.Contains(msg, "1 problem in the last hour") {
		t.Errorf("the pushed problem: %s", msg)
	}
	s.mustPost(t, callHook("switch-room-failed", "beta-1", "c1", "SWITCH_ROOM_FAILED"))
	if msg := filtered.until(t, "SWITCH_ROOM_FAILED"); strings.Contains(msg, "alpha-1") {
		t.Errorf("the page filtered by beta shows alpha-1: %s", msg)
	}
	all.until(t, "SWITCH_ROOM_FAILED")
}

// TestProblemsCount: the problems page counts the last hour's problems
// when they are more than a page, and the navigation with it.
func TestProblemsCount(t *testing.T) {
	s := start(t, tempDBEnv(t))
	for i := range 60 {
		s.mustPost(t, jobHook("recording-failed", "many", fmt.Sprintf("r%d", i)))
	}
	s.settle(t)
	_, page := get(t, http.DefaultClient, s.URL+"/problems", nil)
	for _, want := range []string{"60 problems in the last hour.", `<span class="nav-count" title="problems in the last hour">60</span>`, "Older →"} {
		if !strings.Contains(page, want) {
			t.Errorf("/problems lacks %s", want)
		}
	}
}
