package models_test

import (
	"context"
	"fmt"
	"testing"

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

		rooms, err := s.LiveRooms(context.Background(), "jobs")
		if err != nil {
			t.Fatal(err)
		}
		if len(rooms) != 1 {
			t.Fatalf("%d live rooms, want 1", len(rooms))
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
		if rooms, err = s.LiveRooms(context.Background(), "jobs"); err != nil || rooms[0].Recording == nil || rooms[0].Recording.ExternalID != "rec-now" {
			t.Errorf("after the live session's recording started: %+v, %v", rooms, err)
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
		rooms, err := s.LiveRooms(context.Background(), "crowd")
		if err != nil || len(rooms) != 1 {
			t.Fatalf("rooms %v, %v", rooms, err)
		}
		r := rooms[0]
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
