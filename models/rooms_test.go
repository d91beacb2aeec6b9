package models_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestLiveRoomJobs: a live room shows who is in it and the jobs of its own
// session, not those of the meeting's earlier sessions.
func TestLiveRoomJobs(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		in := func(sess string, extra map[string]any) map[string]any {
			m := map[string]any{"meetingId": "jobs", "sessionId": sess}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		// An earlier session with a recording, now over.
		post(t, s, body("session-started", in("old", nil)))
		post(t, s, body("recording-started", in("old", map[string]any{"id": "rec-old"})))
		post(t, s, body("session-ended", in("old", nil)))
		// The live one.
		post(t, s, body("session-started", in("now", nil)))
		post(t, s, body("participant-joined", in("now", map[string]any{"participantId": "p1", "participantName": "Ann"})))
		post(t, s, body("hls-playable", in("now", map[string]any{"id": "hls-now", "playbackHlsUrl": "https://cdn.example/now.m3u8"})))
		post(t, s, body("transcription-started", in("now", map[string]any{"id": "tr-now", "type": "realtime"})))

		board, err := s.LiveRooms(context.Background(), "jobs", 1)
		if err != nil {
			t.Fatal(err)
		}
		rooms := board.Rooms
		if len(rooms) != 1 || board.Live != 1 || board.Before != 0 || board.After != 0 {
			t.Fatalf("%d live rooms, board %d live, %d before, %d after; want 1, 1, 0, 0", len(rooms), board.Live, board.Before, board.After)
		}
		r := rooms[0]
		if r.Session.SessionID != "now" || len(r.Present) != 1 || r.Present[0].Name != "Ann" {
			t.Errorf("room %+v, present %+v", r.Session, r.Present)
		}
		if r.Recording != nil {
			t.Errorf("the earlier session's recording shows in the live room: %+v", r.Recording)
		}
		if r.HLS == nil || r.HLS.PlaybackURL != "https://cdn.example/now.m3u8" || r.Transcription == nil {
			t.Errorf("jobs of the live session: HLS %+v, transcription %+v", r.HLS, r.Transcription)
		}
		post(t, s, body("recording-started", in("now", map[string]any{"id": "rec-now"})))
		if board, err = s.LiveRooms(context.Background(), "jobs", 1); err != nil || board.Rooms[0].Recording == nil || board.Rooms[0].Recording.ExternalID != "rec-now" {
			t.Errorf("after the live session's recording started: %+v, %v", board.Rooms, err)
		}
	})
}

// TestLiveRoomPeople: a crowded room names the first RoomPeople people in
// it by arrival, and counts them all; those who left are neither.
func TestLiveRoomPeople(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		person := func(i int) map[string]any {
			return map[string]any{"meetingId": "crowd", "sessionId": "s", "participantId": fmt.Sprint("p", i), "participantName": fmt.Sprint("P", i)}
		}
		post(t, s, body("session-started", map[string]any{"meetingId": "crowd", "sessionId": "s"}))
		const joined = models.RoomPeople + 10
		for i := range joined {
			post(t, s, body("participant-joined", person(i)))
		}
		for _, i := range []int{0, 7, joined - 1} {
			post(t, s, body("participant-left", person(i)))
		}
		board, err := s.LiveRooms(context.Background(), "crowd", 1)
		if err != nil || len(board.Rooms) != 1 {
			t.Fatalf("rooms %v, %v", board.Rooms, err)
		}
		r := board.Rooms[0]
		if r.InRoom != joined-3 {
			t.Errorf("InRoom %d, want %d", r.InRoom, joined-3)
		}
		var want []string
		for i := range joined {
			if i != 0 && i != 7 && len(want) < models.RoomPeople {
				want = append(want, fmt.Sprint("p", i))
			}
		}
		var got []string
		for _, p := range r.Present {
			got = append(got, p.ParticipantID)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("named %v\nwant %v", got, want)
		}
	})
}

// TestLiveRoomsFloodedByQuietSessions: more than a page of sessions that
// were started recently, claim an old start time and then go quiet (what
// anyone who can post unverified webhooks can send) do not hide a room in
// use. The first page keeps the most recently active rooms, the real one
// among them; the count is every live room; the rooms left out are on the
// next page.
func TestLiveRoomsFloodedByQuietSessions(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		now := time.Now().UTC()
		started := func(meeting string, start time.Time) []byte {
			return body("session-started", map[string]any{"meetingId": meeting, "sessionId": "s-" + meeting, "start": start.Format(time.RFC3339)})
		}
		// The flood, sent ten minutes ago, fake-000 first, each claiming
		// to have started a month ago. Sent concurrently, so that it
		// commits in batches.
		const fakes = models.MaxPageSize + 20
		var wg sync.WaitGroup
		for i := range fakes {
			wg.Go(func() {
				d := decodeDelivery(t, started(fmt.Sprintf("fake-%03d", i), now.Add(-30*24*time.Hour+time.Duration(i)*time.Second)))
				d.ReceivedAt = now.Add(-10*time.Minute + time.Duration(i)*time.Millisecond)
				if _, err := s.Ingest(ctx, d); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		// The real room started a minute ago, and someone joined it since.
		postAt(t, s, started("real", now.Add(-time.Minute)), now.Add(-time.Minute))
		postAt(t, s, body("participant-joined", map[string]any{"meetingId": "real", "sessionId": "s-real", "participantId": "p1", "participantName": "Ann"}), now)
		// Silent for longer than the stale cutoff: not live, not counted.
		postAt(t, s, started("fake-stale", now.Add(-14*time.Hour)), now.Add(-13*time.Hour))

		const live = fakes + 1
		const left = live - models.RoomsPerPage
		meetings := func(b models.LiveBoard) []string {
			var ids []string
			for _, r := range b.Rooms {
				ids = append(ids, r.Meeting.MeetingID)
			}
			return ids
		}
		check := func(prefix string, page int, want models.LiveBoard, wantIDs []string) {
			t.Helper()
			b, err := s.LiveRooms(ctx, prefix, page)
			if err != nil {
				t.Fatal(err)
			}
			if b.Live != want.Live || b.Page != page || b.Before != want.Before || b.After != want.After {
				t.Errorf("%q page %d: %d live, %d before, %d after, page %d; want %d, %d, %d",
					prefix, page, b.Live, b.Before, b.After, b.Page, want.Live, want.Before, want.After)
			}
			if got := meetings(b); fmt.Sprint(got) != fmt.Sprint(wantIDs) {
				t.Errorf("%q page %d shows %d rooms:\n%v\nwant %d:\n%v", prefix, page, len(got), got, len(wantIDs), wantIDs)
			}
		}
		fake := func(from, to int) []string {
			var ids []string
			for i := from; i < to; i++ {
				ids = append(ids, fmt.Sprintf("fake-%03d", i))
			}
			return ids
		}
		// The first page: the real room and the most recently sent fakes,
		// longest running first (the fakes by their claimed start).
		check("", 1, models.LiveBoard{Live: live, After: left}, append(fake(left, fakes), "real"))
		check("", 2, models.LiveBoard{Live: live, Before: models.RoomsPerPage}, fake(0, left))
		check("", 3, models.LiveBoard{Live: live, Before: live}, nil)
		check("real", 1, models.LiveBoard{Live: 1}, []string{"real"})
		check("fake-", 1, models.LiveBoard{Live: fakes, After: fakes - models.RoomsPerPage}, fake(fakes-models.RoomsPerPage, fakes))

		b, err := s.LiveRooms(ctx, "", 1)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(b.Rooms, func(r models.Room) bool { return r.Meeting.MeetingID == "real" })
		if i < 0 {
			t.Fatalf("the real room is not on the first page")
		}
		if r := b.Rooms[i]; r.InRoom != 1 || len(r.Present) != 1 || r.Present[0].Name != "Ann" {
			t.Errorf("the real room's card: %d in the room, %+v", r.InRoom, r.Present)
		}
	})
}
