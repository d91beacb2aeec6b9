package models_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

const iotumFixtures = "../handlers/webhooks/iotum/testdata"

// postFile decodes and ingests a provider's fixture file, received at the
// given time, as the webhook handler does.
func postFile(t *testing.T, s *models.Store, provider, path string, at time.Time) models.Result {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := testDecode(provider, body)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	res, err := s.Ingest(context.Background(), models.Delivery{Provider: provider, Body: body, ReceivedAt: at, Event: ev})
	if err != nil {
		t.Fatalf("ingest %s: %v", path, err)
	}
	return applied(t, s, res)
}

// liveMeetings lists the meeting ids of the live-rooms board and of the
// meetings list's live sessions.
func liveMeetings(t *testing.T, s *models.Store) []string {
	t.Helper()
	ctx := context.Background()
	board, err := s.LiveRooms(ctx, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range board.Rooms {
		out = append(out, "board:"+r.Meeting.MeetingID)
	}
	if board.Live != len(board.Rooms) {
		t.Errorf("the board counts %d live rooms and shows %d", board.Live, len(board.Rooms))
	}
	meetings, err := s.ListMeetings(ctx, models.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range meetings {
		if len(m.LiveSessions) > 0 {
			out = append(out, "list:"+m.MeetingID)
		}
	}
	return out
}

// TestLoneLeaveIsNotLive: a leave for a meeting with no session, as each
// provider really sends it, does not make the room live; the participant
// and their stay are on the meeting's page all the same, and a join then
// opens the room as before.
func TestLoneLeaveIsNotLive(t *testing.T) {
	joined := unixAt(1717000005, 330000000)
	cases := []struct {
		provider, leave, join string
		meeting, participant  string
		// joinedAt is the stay's start the leave gives (nil: none);
		// leftAt its end (nil: the arrival).
		joinedAt, leftAt *time.Time
	}{
		{provider: "daily", leave: filepath.Join(dailyFixtures, "participant.left.json"), join: filepath.Join(dailyFixtures, "participant.joined.json"),
			meeting: "consult-42", participant: "u_81", joinedAt: &joined, leftAt: ptr(joined.Add(3584680 * time.Millisecond))},
		{provider: "videosdk", leave: filepath.Join(fixtures, "v2/participant-left.json"), join: filepath.Join(fixtures, "v2/participant-joined.json"),
			meeting: "jvsg-8rjn-j304", participant: "fkd74h"},
		{provider: "iotum", leave: filepath.Join(iotumFixtures, "leave_conference.json"), join: filepath.Join(iotumFixtures, "enter_conference.json"),
			meeting: "1258835", participant: "7120351", leftAt: ptr(time.Date(2022, 8, 24, 20, 55, 41, 0, time.UTC))},
	}
	dbtest.ForEach(t, func(t *testing.T, url string) {
		for _, c := range cases {
			t.Run(c.provider, func(t *testing.T) {
				s := openStore(t, freshURL(t, url))
				arrival := time.Now().UTC().Truncate(time.Millisecond)
				postFile(t, s, c.provider, c.leave, arrival)
				if live := liveMeetings(t, s); len(live) != 0 {
					t.Errorf("after a lone leave, live: %v; want none", live)
				}
				d := detail(t, s, c.meeting)
				for _, sess := range d.Sessions {
					if sess.Status == models.SessionLive {
						t.Errorf("session %+v is live", sess)
					}
				}
				if len(d.Participants) != 1 || d.Participants[0].ParticipantID != c.participant || d.Participants[0].Present ||
					len(d.Participants[0].Attendances) != 1 {
					t.Fatalf("participants = %+v, want %s, not present, with one stay", d.Participants, c.participant)
				}
				a := d.Participants[0].Attendances[0]
				wantLeft := arrival
				if c.leftAt != nil {
					wantLeft = *c.leftAt
				}
				if !sameTime(a.LeftAt, wantLeft) || (c.joinedAt == nil) != (a.JoinedAt == nil) || c.joinedAt != nil && !sameTime(a.JoinedAt, *c.joinedAt) {
					t.Errorf("stay joined %s, left %s; want joined %s, left %s", fmtTime(a.JoinedAt), fmtTime(a.LeftAt), fmtTime(c.joinedAt), wantLeft)
				}
				// A join does mean someone is in the room: it opens it.
				postFile(t, s, c.provider, c.join, arrival.Add(time.Second))
				if live := liveMeetings(t, s); len(live) != 2 {
					t.Errorf("after a join, live: %v; want the board and the list to show %s", live, c.meeting)
				}
			})
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestDailyAnyOrder: a Daily meeting's events (whose participant events
// name no session) end in the same state in every order, a lone leave
// first included; after each event the room is live exactly when its start
// or a join has come and its end has not.
func TestDailyAnyOrder(t *testing.T) {
	names := []string{"meeting.started", "participant.joined", "participant.left", "meeting.ended"}
	dbtest.ForEach(t, func(t *testing.T, url string) {
		want := ""
		for _, order := range permutations(len(names)) {
			s := openStore(t, freshURL(t, url))
			opened, ended := false, false
			for _, i := range order {
				postFile(t, s, "daily", filepath.Join(dailyFixtures, names[i]+".json"), time.Now().UTC())
				switch names[i] {
				case "meeting.started", "participant.joined":
					opened = true
				case "meeting.ended":
					ended = true
				}
				if live := len(liveMeetings(t, s)) > 0; live != (opened && !ended) {
					t.Fatalf("order %v: after %s the room is live: %v, want %v", order, names[i], live, opened && !ended)
				}
			}
			got := shape(t, detail(t, s, "consult-42"))
			if want == "" {
				want = got
				continue
			}
			if got != want {
				t.Fatalf("order %v: state differs\nin order: %s\nthis order: %s", order, want, got)
			}
		}
	})
}

// permutations lists every order of 0..n-1, the identity first.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := len(p); i >= 0; i-- {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}
