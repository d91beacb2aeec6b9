package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestFleetCounts checks the board's counters: live and stale rooms, the
// people in live rooms, the jobs running in them, and the failures of the
// last hour (recordings, transcriptions, calls), leaving out ended
// sessions, track recordings and old failures.
func TestFleetCounts(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStoreWith(t, url, models.StoreOptions{StaleAfter: time.Hour})
		now := time.Now().UTC()
		send := func(ago time.Duration, typ, meeting string, kv ...any) {
			t.Helper()
			d := map[string]any{"meetingId": meeting, "sessionId": "s-" + meeting}
			for i := 0; i+1 < len(kv); i += 2 {
				d[kv[i].(string)] = kv[i+1]
			}
			postAt(t, s, body(typ, d), now.Add(-ago))
		}
		// A: two joined, one left; a recording running, a track recording
		// (counted too, as the recordings list shows it) and a playable HLS stream.
		send(0, "session-started", "a")
		send(0, "participant-joined", "a", "participantId", "a1", "participantName", "Ann")
		send(0, "participant-joined", "a", "participantId", "a2", "participantName", "Al")
		send(0, "participant-left", "a", "participantId", "a2", "participantName", "Al")
		send(0, "recording-started", "a", "id", "rec-a")
		send(0, "participant-track-recording-started", "a", "participantId", "a1", "kind", "audio")
		send(0, "hls-playable", "a", "id", "hls-a", "playbackHlsUrl", "https://cdn.example/a.m3u8")
		// B: one person, a livestream, a recording that just failed and one
		// that failed two hours ago.
		send(0, "participant-joined", "b", "participantId", "b1", "participantName", "Bea")
		send(0, "livestream-started", "b", "id", "ls-b")
		send(0, "recording-failed", "b", "id", "rec-b")
		send(2*time.Hour, "recording-failed", "b", "id", "rec-b-old")
		// And a transcription that failed, and a call transfer: failures
		// too, as the problems view lists them.
		send(0, "transcription-failed", "b", "id", "tr-b", "message", "language not supported")
		postAt(t, s, body("call-transfer-failed", map[string]any{"callId": "c-b", "roomId": "b", "from": "+1", "to": "+2", "status": "TRANSFER_FAILED"}), now)
		// C ended with a recording it never stopped and someone still in.
		send(0, "session-started", "c")
		send(0, "participant-joined", "c", "participantId", "c1", "participantName", "Cy")
		send(0, "recording-started", "c", "id", "rec-c")
		send(0, "session-ended", "c")
		// D went quiet two hours ago with a recording running.
		send(2*time.Hour, "session-started", "d")
		send(2*time.Hour, "participant-joined", "d", "participantId", "d1", "participantName", "Di")
		send(2*time.Hour, "recording-started", "d", "id", "rec-d")

		got, err := s.FleetCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := models.FleetCounts{Rooms: 2, Stale: 1, People: 2, Recordings: 2, Streams: 2, Failures: 3}
		if got != want {
			t.Errorf("counts %+v, want %+v", got, want)
		}
	})
}
