package models_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/daily"
	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

const dailyFixtures = "../handlers/webhooks/daily/testdata"

// postDaily decodes and ingests a Daily fixture (e.g. "recording.started"
// or "edge/recording-bad-times") received at the given time.
func postDaily(t *testing.T, s *models.Store, name string, at time.Time) models.Result {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(dailyFixtures, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := daily.Decode(body)
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	res, err := s.Ingest(context.Background(), models.Delivery{Provider: daily.Provider, Body: body, ReceivedAt: at, Event: ev})
	if err != nil {
		t.Fatalf("ingest %s: %v", name, err)
	}
	return applied(t, s, res)
}

func unixAt(sec, nanos int64) time.Time { return time.Unix(sec, nanos).UTC() }

// sameTime reports whether a stored time is want.
func sameTime(got *time.Time, want time.Time) bool { return got != nil && got.Equal(want) }

func fmtTime(p *time.Time) string {
	if p == nil {
		return "nil"
	}
	return p.UTC().Format(time.RFC3339Nano)
}

// TestDailyRecordingStageTimes: a Daily recording's stage times are the
// payload's, not the arrival's (started at start_ts, stopped at start_ts +
// duration, failed at timestamp); a ready-to-download whose started was
// lost still gives the start; an unreadable time leaves the arrival time,
// and the event log says so.
func TestDailyRecordingStageTimes(t *testing.T) {
	arrival := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	start, end := unixAt(1717000200, 0), unixAt(1717003600, 0)
	one := func(t *testing.T, s *models.Store) models.RecordingRow {
		t.Helper()
		recs, err := s.ListRecordings(context.Background(), models.ListFilter{})
		if err != nil || len(recs) != 1 {
			t.Fatalf("recordings: %+v %v", recs, err)
		}
		return recs[0]
	}
	dbtest.ForEach(t, func(t *testing.T, url string) {
		t.Run("started then ready", func(t *testing.T) {
			s := openStore(t, freshURL(t, url))
			postDaily(t, s, "recording.started", arrival)
			postDaily(t, s, "recording.ready-to-download", arrival.Add(time.Hour))
			r := one(t, s)
			if r.Status != models.StageStopped || !sameTime(r.StartedAt, start) || !sameTime(r.EndedAt, end) {
				t.Errorf("status %s, started %s, ended %s; want stopped, %s, %s",
					r.Status, fmtTime(r.StartedAt), fmtTime(r.EndedAt), start.Format(time.RFC3339), end.Format(time.RFC3339))
			}
			if !r.FirstSeenAt.Equal(arrival) {
				t.Errorf("first seen %s, want the arrival %s", r.FirstSeenAt, arrival)
			}
		})
		t.Run("started lost", func(t *testing.T) {
			s := openStore(t, freshURL(t, url))
			postDaily(t, s, "recording.ready-to-download", arrival)
			r := one(t, s)
			if !sameTime(r.StartedAt, start) || !sameTime(r.EndedAt, end) {
				t.Errorf("started %s, ended %s", fmtTime(r.StartedAt), fmtTime(r.EndedAt))
			}
			// The started event, late, changes no time.
			postDaily(t, s, "recording.started", arrival.Add(time.Minute))
			if r := one(t, s); !sameTime(r.StartedAt, start) || !sameTime(r.EndedAt, end) || r.Status != models.StageStopped {
				t.Errorf("after a late started: %s, %s, %s", r.Status, fmtTime(r.StartedAt), fmtTime(r.EndedAt))
			}
		})
		t.Run("error", func(t *testing.T) {
			s := openStore(t, freshURL(t, url))
			postDaily(t, s, "edge/recording-error-timestamp-string", arrival)
			r := one(t, s)
			if r.Status != models.StageFailed || !sameTime(r.EndedAt, unixAt(1717000320, 0)) {
				t.Errorf("status %s, ended %s", r.Status, fmtTime(r.EndedAt))
			}
		})
		t.Run("unreadable time", func(t *testing.T) {
			s := openStore(t, freshURL(t, url))
			res := postDaily(t, s, "edge/recording-bad-times", arrival)
			r := one(t, s)
			if r.StartedAt != nil || !sameTime(r.EndedAt, arrival) {
				t.Errorf("started %s, ended %s; want none and the arrival", fmtTime(r.StartedAt), fmtTime(r.EndedAt))
			}
			logged, err := s.Event(context.Background(), res.EventID)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logged.Detail, "payload.start_ts") || !strings.Contains(logged.Detail, "arrival time stands in") {
				t.Errorf("event log detail %q does not say the arrival time was used", logged.Detail)
			}
		})
	})
}

// TestDailyLeaveWithoutJoin: a participant.left whose join never came
// gives the attendance its join time (joined_at) and leave time (joined_at
// + duration); the join arriving late changes nothing; a later stay whose
// join was lost is an attendance of its own.
func TestDailyLeaveWithoutJoin(t *testing.T) {
	joined, left := unixAt(1717000005, 330_000_000), unixAt(1717003590, 10_000_000)
	arrival := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		postDaily(t, s, "participant.left", arrival)
		person := func() models.Participant {
			t.Helper()
			d := detail(t, s, "consult-42")
			if len(d.Participants) != 1 {
				t.Fatalf("participants: %+v", d.Participants)
			}
			return d.Participants[0]
		}
		p := person()
		if p.Present || len(p.Attendances) != 1 || !sameTime(p.Attendances[0].JoinedAt, joined) || !sameTime(p.Attendances[0].LeftAt, left) {
			t.Fatalf("after the leave: %+v", p)
		}
		postDaily(t, s, "participant.joined", arrival.Add(time.Second))
		if p := person(); p.Present || len(p.Attendances) != 1 || !sameTime(p.Attendances[0].JoinedAt, joined) {
			t.Errorf("after the late join: present %v, %d attendances", p.Present, len(p.Attendances))
		}
		// A second stay, its join lost too.
		again, gone := left.Add(time.Minute), left.Add(11*time.Minute)
		ingestEvent(t, s, daily.Provider, models.Event{Type: "participant.left", ProviderEventID: "ptcpt-left-second", MeetingID: "consult-42",
			Participant: &models.ParticipantChange{ParticipantID: "u_81", Left: true, JoinedAt: &again, At: &gone}})
		p = person()
		if p.Present || len(p.Attendances) != 2 {
			t.Fatalf("after the second leave: %+v", p)
		}
		if a := p.Attendances[1]; !sameTime(a.JoinedAt, again) || !sameTime(a.LeftAt, gone) {
			t.Errorf("second stay %s..%s, want %s..%s", fmtTime(a.JoinedAt), fmtTime(a.LeftAt), again, gone)
		}
	})
}

// TestDailyStreamAndTranscriptTimes: a Daily livestream's stages are at
// the payload's timestamp (an update's time is not taken as a start), and
// transcript.error's info.startTs/endTs give the transcript's start and
// failure times.
func TestDailyStreamAndTranscriptTimes(t *testing.T) {
	arrival := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		postDaily(t, s, "streaming.started", arrival)
		postDaily(t, s, "streaming.updated", arrival.Add(time.Minute))
		postDaily(t, s, "streaming.ended", arrival.Add(time.Hour))
		streams, err := s.ListStreams(ctx, models.ListFilter{})
		if err != nil || len(streams) != 1 {
			t.Fatalf("streams: %+v %v", streams, err)
		}
		if st := streams[0]; !sameTime(st.StartedAt, unixAt(1717000500, 0)) || !sameTime(st.EndedAt, unixAt(1717002500, 0)) || st.Status != models.StageStopped {
			t.Errorf("stream %s, started %s, ended %s", st.Status, fmtTime(st.StartedAt), fmtTime(st.EndedAt))
		}
		postDaily(t, s, "transcript.error", arrival)
		trs := detail(t, s, "consult-42").Transcriptions
		if len(trs) != 1 {
			t.Fatalf("transcriptions: %+v", trs)
		}
		if tr := trs[0]; tr.Status != models.StageFailed || !sameTime(tr.StartedAt, unixAt(1717000010, 0)) || !sameTime(tr.EndedAt, unixAt(1717000400, 0)) {
			t.Errorf("transcription %s, started %s, ended %s", tr.Status, fmtTime(tr.StartedAt), fmtTime(tr.EndedAt))
		}
	})
}
