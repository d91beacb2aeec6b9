package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models/dbtest"
)

// apiStay is a stay as /api/meetings/<id>/attendance gives it.
type apiStay struct {
	SessionID        string     `json:"sessionId"`
	SessionStartedAt *time.Time `json:"sessionStartedAt"`
	SessionEndedAt   *time.Time `json:"sessionEndedAt"`
	ParticipantID    string     `json:"participantId"`
	Name             string     `json:"name"`
	Role             string     `json:"role"`
	JoinedAt         *time.Time `json:"joinedAt"`
	LeftAt           *time.Time `json:"leftAt"`
	Seconds          *int64     `json:"seconds"`
	LeaveReason      string     `json:"leaveReason"`
}

// attendanceJSON reads a meeting's attendance through the API.
func (s *server) attendanceJSON(t *testing.T, meeting string) []apiStay {
	t.Helper()
	var body struct {
		Meeting struct {
			MeetingID, Provider string
		} `json:"meeting"`
		Stays []apiStay `json:"stays"`
	}
	s.getJSON(t, "/api/meetings/"+url.PathEscape(meeting)+"/attendance", &body)
	if body.Meeting.MeetingID != meeting || body.Meeting.Provider != "videosdk" {
		t.Errorf("attendance of %s names the meeting %+v", meeting, body.Meeting)
	}
	return body.Stays
}

// sameAttendance checks the CSV's rows say what the JSON's stays do, in
// the same order.
func sameAttendance(t *testing.T, meeting string, table csvTable, stays []apiStay) {
	t.Helper()
	if len(table.rows) != len(stays) {
		t.Fatalf("%s: the CSV has %d stays, the API %d", meeting, len(table.rows), len(stays))
	}
	when := func(p *time.Time) string {
		if p == nil {
			return ""
		}
		return p.UTC().Format("2006-01-02 15:04:05")
	}
	for i, st := range stays {
		secs, stayed := "", ""
		if st.Seconds != nil {
			secs = strconv.FormatInt(*st.Seconds, 10)
			stayed = fmt.Sprintf("%d:%02d:%02d", *st.Seconds/3600, *st.Seconds/60%60, *st.Seconds%60)
		}
		want := map[string]string{"meeting_id": meeting, "provider": "videosdk", "session_id": st.SessionID,
			"session_started_utc": when(st.SessionStartedAt), "session_ended_utc": when(st.SessionEndedAt),
			"participant_id": st.ParticipantID, "name": st.Name, "role": st.Role, "joined_utc": when(st.JoinedAt),
			"left_utc": when(st.LeftAt), "seconds_in_room": secs, "time_in_room": stayed, "leave_reason": st.LeaveReason}
		for k, v := range want {
			if got := table.rows[i][k]; got != v {
				t.Errorf("%s: stay %d: %s is %q in the CSV, %q in the API", meeting, i, k, got, v)
			}
		}
	}
}

// TestAttendanceExport downloads a meeting's attendance as CSV, reads it
// back and compares it with the JSON API's: a meeting of two sessions with
// rejoins, leaves with their reasons, a stay its session's end closed,
// someone still in the room and a leave arriving late; then one of 130
// sessions and 520 stays, more than one page of the export. On SQLite and
// PostgreSQL, through the running program.
func TestAttendanceExport(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := start(t, map[string]string{"DATABASE_URL": url})
		const m = "att-room"
		t0 := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second)
		s.mustPost(t,
			sessionHook("session-started", m, "s1", "start", t0),
			presenceHook("participant-joined", m, "s1", "alice", "Alice"),
			presenceHook("participant-joined", m, "s1", "bob", "Bob"),
			presenceHook("participant-left", m, "s1", "alice", "Alice", "reason", "user-left"),
			presenceHook("participant-joined", m, "s1", "alice", "Alice"),
			presenceHook("participant-left", m, "s1", "bob", "Bob", "reason", "network"),
			sessionHook("session-ended", m, "s1", "end", time.Now().UTC().Add(2*time.Second)),
			sessionHook("session-started", m, "s2", "start", time.Now().UTC()),
			presenceHook("participant-joined", m, "s2", "bob", "Bob"),
			presenceHook("participant-joined", m, "s2", "carol", "Carol"),
			presenceHook("participant-left", m, "s1", "dave", "Dave", "reason", "kicked"),
			presenceHook("participant-left", m, "s2", "carol", "Carol", "reason", "kicked"),
			presenceHook("participant-left", m, "s2", "bob", "Bob", "reason", "user-left"),
			presenceHook("participant-joined", m, "s2", "bob", "Bob"),
		)
		table := s.getCSV(t, "/meetings/"+m+"/attendance.csv")
		if want := []string{"meeting_id", "provider", "session_id", "session_started_utc", "session_ended_utc", "participant_id",
			"name", "role", "joined_utc", "left_utc", "seconds_in_room", "time_in_room", "leave_reason"}; !slices.Equal(table.header, want) {
			t.Errorf("header %v, want %v", table.header, want)
		}
		stays := s.attendanceJSON(t, m)
		sameAttendance(t, m, table, stays)

		// Grouped by session, each person's stays in order.
		var lines []string
		for _, r := range table.rows {
			open := ""
			if r["joined_utc"] == "" {
				open = " (no join)"
			}
			if r["left_utc"] == "" {
				open += " (in the room)"
			}
			lines = append(lines, r["session_id"]+" "+r["participant_id"]+" "+r["leave_reason"]+open)
		}
		want := []string{"s1 alice user-left", "s1 alice session-ended", "s1 bob network", "s1 dave kicked (no join)",
			"s2 bob user-left", "s2 bob  (in the room)", "s2 carol kicked"}
		if !slices.Equal(lines, want) {
			t.Errorf("stays\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
		if r := table.rows[0]; r["session_started_utc"] != t0.Format("2006-01-02 15:04:05") || r["session_ended_utc"] == "" || r["seconds_in_room"] == "" {
			t.Errorf("the first stay: %v", r)
		}

		// An unknown meeting is 404; the meeting page links the exports.
		if resp, _ := get(t, http.DefaultClient, s.URL+"/meetings/att-none/attendance.csv", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("attendance of an unknown meeting: %d", resp.StatusCode)
		}
		doc := s.page(t, "/meetings/"+m)
		if href, _ := doc.Find("#meeting-participants a.export").Attr("href"); href != "/meetings/"+m+"/attendance.csv?provider=videosdk" {
			t.Errorf("the meeting page links its attendance CSV as %q", href)
		}

		// The participants API: filtered and paged by cursor.
		people := s.apiWalk(t, "/api/participants?meeting=att-&name=o", "participants", 1)
		var who []string
		for _, p := range people {
			who = append(who, fmt.Sprint(p["sessionId"], "/", p["participantId"], " ", p["stays"]))
		}
		if !slices.Equal(who, []string{"s2/carol 1", "s2/bob 2", "s1/bob 1"}) {
			t.Errorf("participants of att-* named *o*: %v", who)
		}
		if in := s.apiWalk(t, "/api/participants?meeting=att-room&present=true", "participants", 50); len(in) != 1 || in[0]["participantId"] != "bob" {
			t.Errorf("participants in the room: %v", in)
		}

		// A room used for months: 130 sessions of four stays each.
		const big = "att-big"
		var groups [][][]byte
		for i := range 130 {
			sid := fmt.Sprintf("b%03d", i)
			at := t0.Add(time.Duration(i) * time.Minute)
			groups = append(groups, [][]byte{
				sessionHook("session-started", big, sid, "start", at),
				presenceHook("participant-joined", big, sid, "p1", "One"),
				presenceHook("participant-joined", big, sid, "p2", "Two"),
				presenceHook("participant-left", big, sid, "p1", "One", "reason", "user-left"),
				presenceHook("participant-joined", big, sid, "p1", "One"),
				presenceHook("participant-left", big, sid, "p1", "One", "reason", "network"),
				presenceHook("participant-left", big, sid, "p2", "Two", "reason", "user-left"),
				presenceHook("participant-joined", big, sid, "p3", "Three"),
				sessionHook("session-ended", big, sid, "end", at.Add(30*time.Second)),
			})
		}
		s.postMany(t, spread(8, groups))
		table = s.getCSV(t, "/meetings/"+big+"/attendance.csv")
		stays = s.attendanceJSON(t, big)
		if len(table.rows) != 520 {
			t.Errorf("%s: %d stays in the CSV, want 520", big, len(table.rows))
		}
		sameAttendance(t, big, table, stays)
		seen := map[string]int{}
		for _, r := range table.rows {
			seen[r["session_id"]+" "+r["participant_id"]]++
		}
		for i := range 130 {
			sid := fmt.Sprintf("b%03d", i)
			if seen[sid+" p1"] != 2 || seen[sid+" p2"] != 1 || seen[sid+" p3"] != 1 {
				t.Fatalf("session %s: p1 %d stays, p2 %d, p3 %d, want 2, 1 and 1", sid, seen[sid+" p1"], seen[sid+" p2"], seen[sid+" p3"])
			}
		}
	})
}
