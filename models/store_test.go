package models_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

const meeting = "jvsg-8rjn-j304"

// TestEveryV2Event posts every example of VideoSDK's current webhook list
// for one meeting and checks that each participant, recording, stream,
// URL and status they carry is stored exactly once.
func TestEveryV2Event(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		bodies := fixtureDir(t, "v2")
		for _, b := range bodies {
			// Sorted by name, some stages come after later ones (hls-failed
			// before hls-stopped) and rightly change nothing.
			if res := post(t, s, b); res.Outcome != models.OutcomeApplied && res.Outcome != models.OutcomeNoChange {
				t.Errorf("%s: outcome %q, want applied or no-change", res.Type, res.Outcome)
			}
		}
		d := detail(t, s, meeting)
		checkEveryV2Event(t, d)

		// The same events again change nothing.
		before := shape(t, d)
		for _, b := range bodies {
			if res := post(t, s, b); res.Outcome != models.OutcomeNoChange || !res.Repeat {
				t.Errorf("repeat of %s: outcome %q repeat %v, want no-change and a repeat", res.Type, res.Outcome, res.Repeat)
			}
		}
		if after := shape(t, detail(t, s, meeting)); after != before {
			t.Errorf("repeating every event changed the meeting:\nbefore %s\nafter %s", before, after)
		}
	})
}

func checkEveryV2Event(t *testing.T, d *models.MeetingDetail) {
	t.Helper()
	if d.Meeting.Provider != "videosdk" || d.Meeting.MeetingID != meeting {
		t.Errorf("meeting = %+v", d.Meeting)
	}
	sessions := map[string]models.Session{}
	for _, s := range d.Sessions {
		sessions[s.SessionID] = s
	}
	main := sessions["613731342f27f56e4fc4b6d0"]
	// The transcription examples name a second session; agent events carry
	// the agent's own session id, which is not a meeting session.
	if len(sessions) != 2 || main.Status != models.SessionEnded || main.EndReason != "Meeting Ended." {
		t.Errorf("sessions = %+v", d.Sessions)
	}
	if main.StartedAt == nil || !main.StartedAt.Equal(time.Date(2022, 7, 5, 15, 55, 35, 47e6, time.UTC)) ||
		main.EndedAt == nil || !main.EndedAt.Equal(time.Date(2022, 7, 5, 16, 0, 35, 47e6, time.UTC)) {
		t.Errorf("session times = %v %v", main.StartedAt, main.EndedAt)
	}
	if len(d.Participants) != 1 {
		t.Fatalf("participants = %+v", d.Participants)
	}
	p := d.Participants[0]
	if p.ParticipantID != "fkd74h" || p.Name != "John" || p.Present || len(p.Attendances) != 1 ||
		p.Attendances[0].JoinedAt == nil || p.Attendances[0].LeftAt == nil || p.Attendances[0].LeaveReason != "user-left" {
		t.Errorf("participant = %+v", p)
	}

	file := func(id string) models.File {
		return models.File{Path: "/encoded/videos/" + id + ".mp4", URL: "https://cdn.videosdk.live/encoded/videos/" + id + ".mp4"}
	}
	want := map[models.RecordingKind]struct {
		id     string
		status models.Stage
		files  []models.File
	}{
		models.RecordingMeeting:          {"665fcf7f2abe9a2807e42700", models.StageFailed, []models.File{file("62d148951a1eb20029fc9b05")}},
		models.RecordingParticipantTrack: {"", models.StageFailed, []models.File{file("62d148951a1eb20029fc9b05")}},
		models.RecordingParticipant:      {"", models.StageFailed, []models.File{file("62d148951a1eb20029fc9b05")}},
		models.RecordingMerge:            {"bf37fabb-6e34-418b-bc29-97f053fc6cfe", models.StageFailed, nil},
		models.RecordingCompositeMerge: {"665fcf7f2abe9a2807e42700", models.StageFailed,
			[]models.File{{URL: "https://cdn.videosdk.live/encoded/videos/665fcf7f2abe9a2807e42700.mp4"}}},
		models.RecordingComposite: {"665fcf7f2abe9a2807e42700", models.StageFailed, []models.File{file("62d148951a1eb20029fc9b05")}},
	}
	if len(d.Recordings) != len(want) {
		t.Errorf("%d recordings, want %d: %+v", len(d.Recordings), len(want), d.Recordings)
	}
	for _, r := range d.Recordings {
		w, ok := want[r.Kind]
		if !ok {
			t.Errorf("unexpected recording %+v", r)
			continue
		}
		delete(want, r.Kind)
		if r.ExternalID != w.id || r.Status != w.status || fmt.Sprint(r.Files) != fmt.Sprint(w.files) {
			t.Errorf("%s recording: id %q status %q files %v; want %q %q %v", r.Kind, r.ExternalID, r.Status, r.Files, w.id, w.status, w.files)
		}
		if r.EndedAt == nil || r.Kind != models.RecordingMerge && r.StartedAt == nil {
			t.Errorf("%s recording: stage times missing: %+v", r.Kind, r.Lifecycle)
		}
		switch r.Kind {
		case models.RecordingMeeting:
			if r.KeyURL != "https://cdn.videosdk.live/encoded/videos/62d148951a1eb20029fc9b05.key.enc" ||
				r.MetaURL != "https://cdn.videosdk.live/encoded/videos/62d148951a1eb20029fc9b05.meta.json" ||
				r.StartingAt == nil || r.StoppingAt == nil || r.Message != "reason, if any" {
				t.Errorf("meeting recording = %+v", r)
			}
		case models.RecordingParticipantTrack:
			if r.ParticipantID != "abcd" || r.TrackKind != "audio" || r.FileFormat != "webm" {
				t.Errorf("track recording = %+v", r)
			}
		case models.RecordingComposite:
			if !strings.Contains(r.Participants, `"participantId":"abcd"`) {
				t.Errorf("composite participants = %q", r.Participants)
			}
		}
	}
	if len(d.Streams) != 2 {
		t.Errorf("streams = %+v", d.Streams)
	}
	for _, s := range d.Streams {
		if s.Status != models.StageFailed || s.ExternalID != "665fcf7f2abe9a2807e42700" {
			t.Errorf("stream = %+v", s)
		}
		if s.Kind == models.StreamHLS && (s.PlaybackURL != "https://cdn.videosdk.live/meetings-hls/b8a770ef-d713-4a27-9ab7-e5a0b724caaf/index.m3u8" ||
			s.LivestreamURL != "https://cdn.videosdk.live/meetings-hls/b8a770ef-d713-4a27-9ab7-e5a0b724caaf/livestream.m3u8" || s.PlayableAt == nil) {
			t.Errorf("hls stream = %+v", s)
		}
	}
	if len(d.Transcriptions) != 2 || d.Transcriptions[0].Mode != "realtime" || d.Transcriptions[0].Status != models.StageFailed {
		t.Errorf("transcriptions = %+v", d.Transcriptions)
	}
	if len(d.Calls) != 1 || len(d.Calls[0].Steps) != 15 || d.Calls[0].Direction != "outbound" ||
		d.Calls[0].From != "+1987654321" || d.Calls[0].To != "+1234567890" || d.Calls[0].Steps[0].Step != "call-started" {
		t.Errorf("calls = %+v", d.Calls)
	} else if last := d.Calls[0].Steps[14]; d.Calls[0].Status != last.Status {
		t.Errorf("call status %q, want the latest step's %q", d.Calls[0].Status, last.Status)
	}
	// The doc's agent events: one session that ran and stopped, and one
	// failure that never got a session id.
	var agents []string
	for _, a := range d.Agents {
		agents = append(agents, fmt.Sprintf("%s/%s/%s", a.AgentSession, a.AgentID, a.Status))
	}
	sort.Strings(agents)
	if got := strings.Join(agents, " "); got != "/ag_abcd/failed 665fcf7f2abe9a2807e42700/ag_abcd/stopped" {
		t.Errorf("agents = %s", got)
	}
}

// TestAnyOrder delivers one meeting's story shuffled and with repeats, many
// times over, and checks it always ends where the in-order stream does.
func TestAnyOrder(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		story := meetingStory("m-0")
		for _, b := range story {
			post(t, s, b)
		}
		want := shape(t, detail(t, s, "m-0"))
		rounds := 40
		if strings.HasPrefix(url, "postgres") {
			rounds = 15
		}
		for round := 1; round <= rounds; round++ {
			id := fmt.Sprintf("m-%d", round)
			rng := rand.New(rand.NewSource(int64(round)))
			bodies := meetingStory(id)
			for _, i := range rng.Perm(len(bodies)) {
				// A repeated participant-joined after that participant left
				// is byte for byte a rejoin, which must show them in the
				// room again: it is the one event whose repeat cannot be
				// told from a new one, so it is not repeated here.
				if rng.Intn(3) == 0 && !strings.Contains(string(bodies[i]), "participant-joined") {
					bodies = append(bodies, bodies[i])
				}
			}
			rng.Shuffle(len(bodies), func(i, j int) { bodies[i], bodies[j] = bodies[j], bodies[i] })
			if round%2 == 1 {
				// Every other round, a lone leave comes first, before its
				// join and before anything else of the meeting: it must not
				// make the room live.
				i := slices.IndexFunc(bodies, func(b []byte) bool {
					return bytes.Contains(b, []byte(`"participantId":"dan"`)) && bytes.Contains(b, []byte("participant-left"))
				})
				post(t, s, bodies[i])
				bodies = slices.Delete(bodies, i, i+1)
				if slices.Contains(liveMeetings(t, s), "board:"+id) {
					t.Fatalf("round %d: a lone leave made the room live", round)
				}
			}
			for _, b := range bodies {
				post(t, s, b)
			}
			got := strings.ReplaceAll(shape(t, detail(t, s, id)), id, "m-0")
			if got != want {
				t.Fatalf("round %d: shuffled state differs\nin order: %s\nshuffled: %s", round, want, got)
			}
		}
	})
}

// meetingStory is a coherent meeting: people join and leave, recording,
// HLS and a transcription run their course, an agent starts and stops, the
// session ends.
func meetingStory(id string) [][]byte {
	sess := "sess-" + id
	base := map[string]any{"meetingId": id, "sessionId": sess}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	out := [][]byte{body("session-started", with(map[string]any{"start": "2026-11-22T10:00:00Z"}))}
	for _, p := range []string{"ann", "bob", "cem"} {
		out = append(out, body("participant-joined", with(map[string]any{"participantId": p, "participantName": strings.ToUpper(p)})))
	}
	out = append(out, body("participant-left", with(map[string]any{"participantId": "bob", "participantName": "BOB", "reason": "connection-error"})),
		body("participant-joined", with(map[string]any{"participantId": "dan", "participantName": "DAN"})),
		body("participant-left", with(map[string]any{"participantId": "dan", "participantName": "DAN", "reason": "user-left"})))
	for _, st := range []string{"starting", "started", "stopping"} {
		out = append(out, body("recording-"+st, with(map[string]any{"id": "rec-" + id})))
	}
	out = append(out, body("recording-stopped", with(map[string]any{"id": "rec-" + id,
		"filePath": "/v/" + id + ".mp4", "fileUrl": "https://cdn.example/v/" + id + ".mp4"})))
	for _, st := range []string{"starting", "started", "playable", "stopping", "stopped"} {
		out = append(out, body("hls-"+st, with(map[string]any{"id": "hls-" + id, "playbackHlsUrl": "https://cdn.example/" + id + "/index.m3u8"})))
	}
	out = append(out, body("participant-track-recording-started", with(map[string]any{"participantId": "ann", "kind": "video"})),
		body("participant-track-recording-failed", with(map[string]any{"participantId": "ann", "kind": "video", "message": "disk full"})),
		body("transcription-started", with(map[string]any{"id": "tr-" + id, "type": "realtime"})),
		body("transcription-stopped", with(map[string]any{"id": "tr-" + id, "type": "realtime"})),
		body("agent-session-starting", map[string]any{"meetingId": id, "agentId": "ag", "deploymentId": "dep"}),
		body("agent-session-started", map[string]any{"meetingId": id, "agentId": "ag", "sessionId": "as-" + id}),
		body("agent-session-stopped", map[string]any{"agentId": "ag", "sessionId": "as-" + id}),
		body("call-ringing", map[string]any{"callId": "call-" + id, "roomId": id, "status": "RINGING", "timestamp": "2026-11-22T10:01:00Z"}),
		body("call-answered", map[string]any{"callId": "call-" + id, "roomId": id, "status": "ANSWERED", "timestamp": "2026-11-22T10:01:05Z"}),
		body("call-hangup", map[string]any{"callId": "call-" + id, "roomId": id, "status": "HANGUP", "timestamp": "2026-11-22T10:09:00Z"}),
		body("participant-left", with(map[string]any{"participantId": "ann", "participantName": "ANN", "reason": "user-left"})),
		body("session-ended", with(map[string]any{"start": "2026-11-22T10:00:00Z", "end": "2026-11-22T10:10:00Z", "reason": "Meeting Ended."})),
	)
	return out
}

func TestParticipants(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ev := func(typ, p string, extra map[string]any) []byte {
			data := map[string]any{"meetingId": "m", "sessionId": "s", "participantId": p, "participantName": p}
			for k, v := range extra {
				data[k] = v
			}
			return body(typ, data)
		}
		present := func() map[string]int {
			out := map[string]int{}
			for _, p := range detail(t, s, "m").Participants {
				if p.Present {
					out[p.ParticipantID] = len(p.Attendances)
				}
			}
			return out
		}
		// A rejoin (an identical body) shows the participant in the room again.
		post(t, s, ev("participant-joined", "ann", nil))
		post(t, s, ev("participant-left", "ann", map[string]any{"reason": "connection-error"}))
		if got := present(); len(got) != 0 {
			t.Errorf("after leave, present = %v", got)
		}
		post(t, s, ev("participant-joined", "ann", nil))
		if got := present(); got["ann"] != 2 {
			t.Errorf("after rejoin, present = %v, want ann with 2 attendances", got)
		}
		// A leave for someone never seen joining is kept, and the late join
		// completes it rather than putting them in the room.
		post(t, s, ev("participant-left", "bob", map[string]any{"reason": "user-left"}))
		post(t, s, ev("participant-joined", "bob", nil))
		if got := present(); got["bob"] != 0 {
			t.Errorf("late join after leave put bob in the room: %v", got)
		}
		// The session's end closes everyone still in.
		post(t, s, ev("participant-joined", "cem", nil))
		post(t, s, body("session-ended", map[string]any{"meetingId": "m", "sessionId": "s", "end": "2026-11-22T10:60:00Z"}))
		d := detail(t, s, "m")
		if got := present(); len(got) != 0 {
			t.Errorf("after session-ended, present = %v", got)
		}
		for _, p := range d.Participants {
			last := p.Attendances[len(p.Attendances)-1]
			if last.LeftAt == nil {
				t.Errorf("%s still open after the session ended", p.ParticipantID)
			}
			if p.ParticipantID == "cem" && last.LeaveReason != models.LeaveReasonSessionEnded {
				t.Errorf("cem's leave reason = %q", last.LeaveReason)
			}
		}
		// The unparseable end time is replaced by the arrival time (the
		// session's last event); the event is kept and the log notes both.
		if sess := d.Sessions[0]; sess.Status != models.SessionEnded || sess.EndedAt == nil || !sess.EndedAt.Equal(sess.LastEventAt) {
			t.Errorf("session = %+v", d.Sessions[0])
		}
		events, err := s.ListEvents(context.Background(), models.EventFilter{MeetingPrefix: "m"})
		if err != nil || len(events) == 0 || events[0].Type != "session-ended" || !strings.Contains(events[0].Detail, "end: unparseable time") ||
			!strings.Contains(events[0].Detail, "arrival time") {
			t.Errorf("newest event = %+v, %v", events, err)
		}
		// A join arriving after the session ended does not reopen the room.
		post(t, s, ev("participant-joined", "dan", nil))
		if got := present(); len(got) != 0 {
			t.Errorf("late join into an ended session: present = %v", got)
		}
	})
}

func TestLifecycleNeverMovesBack(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		rec := func(stage string, extra map[string]any) []byte {
			data := map[string]any{"meetingId": "m", "sessionId": "s", "id": "r1"}
			for k, v := range extra {
				data[k] = v
			}
			return body("recording-"+stage, data)
		}
		post(t, s, rec("stopped", map[string]any{"fileUrl": "https://cdn.example/r1.mp4"}))
		res := post(t, s, rec("started", nil))
		r := detail(t, s, "m").Recordings[0]
		if r.Status != models.StageStopped || r.StartedAt == nil || len(r.Files) != 1 {
			t.Errorf("late started: %+v", r)
		}
		if res.Outcome != models.OutcomeApplied {
			t.Errorf("a late stage that fills in its time is applied, got %q", res.Outcome)
		}
		if res := post(t, s, rec("started", nil)); res.Outcome != models.OutcomeNoChange {
			t.Errorf("repeated started: outcome %q", res.Outcome)
		}
		post(t, s, rec("failed", map[string]any{"message": "upload failed"}))
		r = detail(t, s, "m").Recordings[0]
		if r.Status != models.StageFailed || r.Message != "upload failed" {
			t.Errorf("failed: %+v", r)
		}
	})
}

func TestUnknownAndLogOnlyEvents(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		res := post(t, s, fixture(t, "edge/unknown-type"))
		if res.Outcome != models.OutcomeStored || res.EventID == 0 {
			t.Errorf("unknown type: %+v", res)
		}
		events, err := s.ListEvents(context.Background(), models.EventFilter{MeetingPrefix: "jvsg"})
		if err != nil || len(events) != 1 || events[0].Type != "meeting-teleported" || !json.Valid(events[0].Body) {
			t.Errorf("events = %+v, %v", events, err)
		}
		// Prefix filters escape LIKE wildcards.
		if events, _ := s.ListEvents(context.Background(), models.EventFilter{MeetingPrefix: "jv%"}); len(events) != 0 {
			t.Errorf("a %% in the filter matched %d events", len(events))
		}
	})
}

// TestConcurrentIngest sends many deliveries at once: group commit must
// answer every one, each after its commit, and lose none.
func TestConcurrentIngest(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		const n = 400
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				b := body("participant-joined", map[string]any{"meetingId": fmt.Sprintf("load-%d", i%10), "sessionId": "s", "participantId": fmt.Sprint(i)})
				if _, err := s.Ingest(context.Background(), decodeDelivery(t, b)); err != nil {
					errs <- err
				}
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		settle(t, s)
		total := 0
		list, err := s.ListMeetings(context.Background(), models.ListFilter{Prefix: "load-"})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			total += m.Present
			if len(m.LiveSessions) != 1 {
				t.Errorf("%s: %d live sessions", m.MeetingID, len(m.LiveSessions))
			}
		}
		if len(list) != 10 || total != n {
			t.Errorf("%d meetings with %d present, want 10 with %d", len(list), total, n)
		}
	})
}

// TestDatabaseDown: with the database gone, Ingest fails (so the handler
// answers 503) rather than claiming success.
func TestDatabaseDown(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		sqlDB, err := s.DB().DB()
		if err != nil {
			t.Fatal(err)
		}
		sqlDB.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := s.Ingest(ctx, decodeDelivery(t, fixture(t, "v2/participant-joined"))); err == nil {
			t.Error("ingest into a closed database succeeded")
		}
	})
}
