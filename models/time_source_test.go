package models_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestTimeSourceNoted: each applied event's log entry says whether it was
// placed at the payload's time or at its arrival, for real deliveries of
// each provider, and an unreadable time says what stood in.
func TestTimeSourceNoted(t *testing.T) {
	cases := []struct {
		provider, file string
		// notes are substrings the event log's detail must hold.
		notes []string
	}{
		{"daily", filepath.Join(dailyFixtures, "participant.joined.json"), []string{"time from the payload"}},
		{"daily", filepath.Join(dailyFixtures, "streaming.updated.json"), []string{"time of arrival"}},
		{"daily", filepath.Join(dailyFixtures, "edge/bad-times.json"),
			[]string{`payload.end_ts: unreadable time "99999999999999999"; the arrival time stands in`, "time of arrival"}},
		{"videosdk", filepath.Join(fixtures, "v2/participant-joined.json"), []string{"time of arrival: the payload gives no readable time"}},
		{"videosdk", filepath.Join(fixtures, "v2/session-started.json"), []string{"time from the payload"}},
		{"videosdk", filepath.Join(fixtures, "v2/agent-session-started.json"), []string{"time of arrival"}},
		{"videosdk", filepath.Join(fixtures, "edge/session-ended-bad-time.json"),
			[]string{"end: unparseable time", "the arrival time stands in", "time of arrival"}},
		{"iotum", filepath.Join(iotumFixtures, "start_recording.json"), []string{"time from the payload"}},
		{"iotum", filepath.Join(iotumFixtures, "edge/timestamp-unparseable.json"),
			[]string{`timestamp: unparseable time "24/08/2022 20:05:00"; the arrival time stands in`, "time of arrival"}},
	}
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		for _, c := range cases {
			res := postFile(t, s, c.provider, c.file, time.Now().UTC())
			ev, err := s.Event(context.Background(), res.EventID)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range c.notes {
				if !strings.Contains(ev.Detail, n) {
					t.Errorf("%s: event log detail %q does not say %q", c.file, ev.Detail, n)
				}
			}
		}
		// An event kept in the log only is placed nowhere: nothing to say.
		res := postFile(t, s, "iotum", filepath.Join(iotumFixtures, "drive_file_added.json"), time.Now().UTC())
		if ev, err := s.Event(context.Background(), res.EventID); err != nil || ev.Detail != "" {
			t.Errorf("a log-only event's detail %q (%v), want none", ev.Detail, err)
		}
	})
}

// TestPayloadTimesWin: where a payload has a time, the models take it, not
// the arrival: iotum's envelope timestamp places its recording, stream and
// transcription stages, and a Daily meeting.ended whose end_ts cannot be
// read ends the session at the arrival, as VideoSDK's does.
func TestPayloadTimesWin(t *testing.T) {
	iotumAt := func(h, m, s int) time.Time { return time.Date(2022, 8, 24, h, m, s, 0, time.UTC) }
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		arrival := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		for _, name := range []string{"conference_start", "start_recording", "start_streaming", "start_broadcasting",
			"stop_broadcasting", "stop_streaming", "stop_recording", "recording_ready", "transcription_ready"} {
			postFile(t, s, "iotum", filepath.Join(iotumFixtures, name+".json"), arrival)
		}
		d := detail(t, s, "1258835")
		if len(d.Recordings) != 1 || !sameTime(d.Recordings[0].StartedAt, iotumAt(20, 12, 0)) || !sameTime(d.Recordings[0].EndedAt, iotumAt(20, 50, 0)) {
			t.Errorf("recordings = %+v, want one started 20:12:00 and ended 20:50:00", d.Recordings)
		}
		want := map[models.StreamKind][2]time.Time{
			models.StreamLivestream: {iotumAt(20, 13, 0), iotumAt(20, 45, 0)},
			models.StreamBroadcast:  {iotumAt(20, 15, 0), iotumAt(20, 40, 0)},
		}
		for _, st := range d.Streams {
			w := want[st.Kind]
			if !sameTime(st.StartedAt, w[0]) || !sameTime(st.EndedAt, w[1]) {
				t.Errorf("%s stream: started %s, ended %s; want %s, %s", st.Kind, fmtTime(st.StartedAt), fmtTime(st.EndedAt), w[0], w[1])
			}
		}
		if len(d.Streams) != 2 {
			t.Errorf("streams = %+v, want a livestream and a broadcast", d.Streams)
		}
		if len(d.Transcriptions) != 1 || !sameTime(d.Transcriptions[0].EndedAt, iotumAt(21, 9, 40)) {
			t.Errorf("transcriptions = %+v, want one completed at 21:09:40", d.Transcriptions)
		}

		postFile(t, s, "daily", filepath.Join(dailyFixtures, "edge/bad-times.json"), arrival)
		sessions := detail(t, s, "consult-42").Sessions
		if len(sessions) != 1 || sessions[0].Status != models.SessionEnded || !sameTime(sessions[0].EndedAt, arrival) {
			t.Errorf("sessions = %+v, want one ended at the arrival %s", sessions, arrival)
		}
	})
}

// TestArrivalStageTimesGiveWay: a stage time that stood in with the
// arrival is replaced when a later or repeated event of that stage carries
// the provider's time, and the provider's time is never replaced by a later
// arrival (Daily fixtures).
func TestArrivalStageTimesGiveWay(t *testing.T) {
	arrival := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		events []string
		check  func(d *models.MeetingDetail, s *models.Store) string
	}{
		{"stream updated, then its start", []string{"streaming.updated", "streaming.started"}, streamStarted(unixAt(1717000500, 0))},
		{"stream started, then an update", []string{"streaming.started", "streaming.updated"}, streamStarted(unixAt(1717000500, 0))},
		{"recording ready with an unreadable start, then ready again", []string{"edge/recording-bad-times", "recording.ready-to-download"},
			func(_ *models.MeetingDetail, s *models.Store) string {
				recs, err := s.ListRecordings(context.Background(), models.ListFilter{})
				if err != nil || len(recs) != 1 {
					return fmt.Sprintf("recordings %+v, %v", recs, err)
				}
				r := recs[0]
				if !sameTime(r.StartedAt, unixAt(1717000200, 0)) || !sameTime(r.EndedAt, unixAt(1717003600, 0)) {
					return "started " + fmtTime(r.StartedAt) + ", ended " + fmtTime(r.EndedAt) + "; want the payload's 1717000200 and 1717003600"
				}
				return ""
			}},
		{"transcript started, then its error gives the start", []string{"transcript.started", "transcript.error"},
			func(d *models.MeetingDetail, _ *models.Store) string {
				if len(d.Transcriptions) != 1 || !sameTime(d.Transcriptions[0].StartedAt, unixAt(1717000010, 0)) {
					return fmt.Sprintf("transcriptions %+v, want one started at 1717000010", d.Transcriptions)
				}
				return ""
			}},
	}
	dbtest.ForEach(t, func(t *testing.T, url string) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := openStore(t, freshURL(t, url))
				for i, name := range c.events {
					postDaily(t, s, name, arrival.Add(time.Duration(i)*time.Hour))
				}
				d, err := s.MeetingDetail(context.Background(), "", "consult-42", 0)
				if errors.Is(err, models.ErrNotFound) {
					d, err = &models.MeetingDetail{}, nil
				}
				if err != nil {
					t.Fatal(err)
				}
				if msg := c.check(d, s); msg != "" {
					t.Error(msg)
				}
			})
		}
	})
}

// streamStarted checks that the one stream started at want.
func streamStarted(want time.Time) func(*models.MeetingDetail, *models.Store) string {
	return func(_ *models.MeetingDetail, s *models.Store) string {
		streams, err := s.ListStreams(context.Background(), models.ListFilter{})
		if err != nil || len(streams) != 1 {
			return fmt.Sprintf("streams %+v, %v", streams, err)
		}
		if !sameTime(streams[0].StartedAt, want) {
			return "started " + fmtTime(streams[0].StartedAt) + ", want the payload's " + want.Format(time.RFC3339)
		}
		return ""
	}
}
